# abs-trust: Asian Barometer Survey release files -> institutional-trust tables, figures, and a
# check against the published numbers (Farid & Song 2020). Read top to bottom:
#   common    validate config + crosswalk, decide the waves and outputs
#   ingest    one job per wave: release file(s) -> harmonized respondents (data/interim/)
#   analyse   one job per wave: shares trusting and correlations (aggregates, results/)
#   tables    the contract tables, Table 4
#   figures   Figure 1, the Table 4 chart, correlations by country (+ report captions)
#   reproduce every published number beside ours; the gate fails the run on a miss


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/reproduce.smk"


rule all:
    default_target: True
    input:
        all_outputs(),


onsuccess:
    print(run_summary(success=True))


onerror:
    print(run_summary(success=False))
