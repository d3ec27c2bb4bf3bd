"""Release files in, codes and their metadata out.

`release` reads SPSS/Stata files (in a child process, so a crash in the C reader names the
file), `codebook` reads a CSV export with its sidecar codebook, `columns` holds what both
return. Nothing here writes to ``data/raw``.
"""
