"""abs-trust: institutional trust from Asian Barometer Survey releases, checked against print.

The package holds the logic; the Snakemake workflow in ``workflow/`` only wires files to it.
"""

__version__ = "0.1.0"
