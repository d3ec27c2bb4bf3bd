# results/ holds one run. This job has no file inputs: its parameters are the run's config
# and every configured file's size and modification time, so Snakemake reruns it exactly when
# one of them changed. It then runs first, removes the previous run's aggregate results
# (those its manifest lists, and the folders of waves no longer configured) and writes the
# new manifest. Every aggregate rule takes the manifest as an input: a changed config reruns
# them, and a run that fails in a wave job leaves no earlier run's table or verdict behind.
localrules:
    run_manifest,


rule run_manifest:
    output:
        manifest="results/run.json",
        config="results/run-config.yaml",
    log:
        "logs/run_manifest.log",
    priority: 100
    conda:
        "../envs/abs-trust.yaml"
    params:
        config=run_config(),
        configfiles=[str(f) for f in workflow.configfiles],
        stamps=run_file_stamps(),
        waves=WAVES,
        outputs=lambda wildcards: aggregate_outputs(),
    script:
        "../scripts/run_manifest.py"
