rule table4:
    input:
        trust="results/tables/institution_trust.csv",
        metas=expand("data/interim/{wave}.json", wave=TABLE4_WAVES),
    output:
        md="results/tables/table4.md",
        tex="results/tables/table4.tex",
    log:
        "logs/table4.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        country=config["table4"].get("country", "china"),
        weighted=headline_weights(TABLE4_WAVES),
        nonresponse=config["nonresponse"],
    script:
        "../scripts/table4.py"
