; JSON has no file-level constants.
