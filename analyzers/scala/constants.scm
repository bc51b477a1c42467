; File-level constants of Scala: `val NAME = <expr>` in objects, package objects, package bodies
; and at the top level of a file (Scala 3).
(object_definition
  body: (template_body
    (val_definition
      pattern: (identifier) @name
      value: (_) @value)))

(package_object
  body: (template_body
    (val_definition
      pattern: (identifier) @name
      value: (_) @value)))

(package_clause
  body: (template_body
    (val_definition
      pattern: (identifier) @name
      value: (_) @value)))

(compilation_unit
  (val_definition
    pattern: (identifier) @name
    value: (_) @value))
