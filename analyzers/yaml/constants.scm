; YAML has no file-level constants. An alias (*name) is the anchored node itself: a reference
; in the anchored scalar is rewritten there, once; anchor and alias names are never values.
