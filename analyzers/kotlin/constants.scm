; File-level constants of Kotlin: `val NAME = <expr>` and `const val NAME = <expr>` (with or
; without a type) at the top level of a file, in an `object` and in a `companion object`. A `var`
; and a class's own properties are no constants.
((property_declaration
   (binding_pattern_kind) @_kind
   (variable_declaration . (simple_identifier) @name)
   "="
   .
   (_) @value) @_definition
 (#eq? @_kind "val")
 (#parent-type? @_definition "source_file" "object_declaration/class_body"
                "companion_object/class_body"))
