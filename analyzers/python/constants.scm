; File-level constants of Python: module-level assignments `NAME = <expr>` (annotated or not).
(module
  (expression_statement
    (assignment
      left: (identifier) @name
      right: (_) @value)))
