; Module variables with a default: `variable "name" { default = <expr> }` is the constant `var.name`
; (the analyzer prefixes `var.`); a variable without a default is no constant, so `var.name` is a hole.
(block
  (identifier) @_kind
  (string_lit (template_literal) @name)
  (body
    (attribute (identifier) @_key (expression) @value))
  (#eq? @_kind "variable")
  (#eq? @_key "default"))
