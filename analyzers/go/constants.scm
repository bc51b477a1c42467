; Package-level constants of Go: `const Name = <expr>` and `const Name Type = <expr>`, alone or
; in a `const ( … )` block, with one name and one value (a spec `a, b = "x", "y"` is left out).
(source_file
  (const_declaration
    (const_spec . name: (identifier) @name . value: (expression_list . (_) @value .))))
(source_file
  (const_declaration
    (const_spec . name: (identifier) @name . type: (_) . value: (expression_list . (_) @value .))))
