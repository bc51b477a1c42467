; File-level constants of Scala: `val NAME = <expr>` in objects, package objects, package bodies
; and at the top level of a file (Scala 3). One pattern whose place is checked by #parent-type?
; compiles several times faster than one pattern per place.
((val_definition
   pattern: (identifier) @name
   value: (_) @value) @_definition
 (#parent-type? @_definition "object_definition/template_body" "package_object/template_body"
                "package_clause/template_body" "compilation_unit"))
