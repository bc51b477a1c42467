; File-level String constants of Java: `static final String NAME = <expr>;` fields (in classes,
; enums and records) and interface constants, which are implicitly static and final.
(field_declaration
  [
    (modifiers "static" "final")
    (modifiers "final" "static")
  ]
  type: (type_identifier) @_type
  declarator: (variable_declarator
    name: (identifier) @name
    value: (_) @value)
  (#eq? @_type "String"))

(constant_declaration
  type: (type_identifier) @_type
  declarator: (variable_declarator
    name: (identifier) @name
    value: (_) @value)
  (#eq? @_type "String"))
