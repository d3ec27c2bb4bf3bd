"""One function per workflow job: file paths and settings in, files out, a one-line summary
back for the job's log.

Each takes the job's ``input``, ``output`` and ``params`` (Snakemake's named lists, or any
mapping with attribute access) and is what a ``workflow/scripts/*.py`` calls, so a job is a
plain process that any executor can start on any host: everything it needs comes from its
files and parameters, nothing from the Snakemake process that scheduled it.
"""
