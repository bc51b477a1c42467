; Shell variables as constants: `NAME=value` (also under export, readonly, declare, local) is the
; constant NAME wherever it is written, so a variable assigned twice anywhere in the script is
; ambiguous and never resolved. Every other way to set a variable is a definition without a
; value (the value capture is a node that never decodes), so `$NAME` then stays a hole: `NAME+=…`,
; `local NAME`, `read NAME`, `for NAME in …` with several values, an assignment before a command
; (`NAME=v cmd`, which sets it for that command only).
(variable_assignment name: (variable_name) @name "=" value: (_) @value)
(variable_assignment name: (variable_name) @name @value "+=")
(command (variable_assignment name: (variable_name) @name @value))
(declaration_command "local" (variable_name) @name @value)
(for_statement variable: (variable_name) @name @value)
((command name: (command_name) @value argument: (word) @name)
 (#any-of? @value "read" "mapfile" "readarray" "getopts"))
