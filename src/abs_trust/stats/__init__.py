"""Statistics of the harmonized waves: one public function per estimator, DataFrame in.

Each estimator has one public face, in the style of pingouin: a harmonized DataFrame and
column names in, a tidy result out (a dict, or a DataFrame with one row per term), with the
formula and a reference in its docstring: `pearson.pearson`, `spearman.spearman`,
`polychoric.polychoric`, `polychoric.polyserial`, `polychoric_partial.polychoric_partial`,
`shares.share_trusting`, `changes.change_in_share`, `models.ols_robust`,
`models.ordered_logit`, `design.linearized_se`. The table builders
(`correlation_table.correlation_table`, `shares.trust_table`, `shares.coverage_table`,
`sensitivity.nonresponse_sensitivity`, `changes.changes_table`, `bootstrap.bootstrap_shares`,
`bootstrap.bootstrap_table`) and `wave.analyse_wave` assemble them into the workflow's tables.

Uncertainty is design-based wherever survey weights enter: `design` holds the variance of a
linearized statistic under weights only or the release's PSUs and strata;
`linearization` and `polychoric_partial` give each coefficient's linearized variable;
`proportion_ci` the shares' intervals (logit, Wald, Korn-Graubard); `model_inference` the
models' cut points, design sandwich and joint Wald tests.

Behind most public functions is a private kernel of the same name with a leading underscore
(``_pearson``, ``_spearman``, ``_polychoric``, ``_polychoric_partial``, ``_share``) that
takes listwise-complete float arrays. They exist for the table builders alone: a wave's
tables hold many country × pair × method × weighting cells, and the builders convert the
columns to one float array once per wave (`arrays.float_columns`) and call the kernels on
slices of it, which costs a fraction of a pandas selection per cell. The public function is
its kernel behind `arrays.complete_cases`, so both give the same numbers bit for bit.
"""
