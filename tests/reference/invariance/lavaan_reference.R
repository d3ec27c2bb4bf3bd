# Reference values for the measurement-invariance tests (tests/test_invariance.py), computed
# once by hand with R lavaan and committed as lavaan_reference.json; CI needs no R.
#
#   .venv/bin/python tests/reference/invariance/cases.py /tmp/invariance-cases
#   Rscript tests/reference/invariance/lavaan_reference.R /tmp/invariance-cases \
#       tests/reference/invariance/lavaan_reference.json
#
# Model: one factor, the first item the marker (lavaan's default identification), ML
# (likelihood "normal", the default), mean structure, complete cases (the CSVs hold complete
# cases only), groups = the `group` column; configural, metric (group.equal = "loadings"),
# scalar (group.equal = c("loadings", "intercepts")).
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(file.path(args[1], "cases.json"), simplifyVector = FALSE)
equal <- list(configural = "none", metric = "loadings", scalar = c("loadings", "intercepts"))
measures <- c("chisq", "df", "npar", "cfi", "rmsea", "srmr", "srmr_bentler_nomean", "srmr_mplus")
out <- list(
  generated_by = "tests/reference/invariance/lavaan_reference.R",
  R = R.version.string,
  lavaan = as.character(packageVersion("lavaan")),
  cases = list()
)
for (name in names(cases)) {
  case <- cases[[name]]
  data <- read.csv(case$csv, stringsAsFactors = FALSE)
  data[[case$group]] <- as.character(data[[case$group]])
  items <- unlist(case$items)
  model <- paste("trust =~", paste(items, collapse = " + "))
  levels <- list()
  for (level in names(equal)) {
    fit <- cfa(model, data = data, group = case$group, group.equal = equal[[level]],
               estimator = "ML", meanstructure = TRUE)
    fm <- fitMeasures(fit, measures)
    levels[[level]] <- c(as.list(unclass(fm)), converged = lavInspect(fit, "converged"))
  }
  out$cases[[name]] <- list(
    items = items,
    group = case$group,
    groups = lavInspect(fit, "group.label"),
    n = as.list(setNames(unlist(lavInspect(fit, "nobs")), lavInspect(fit, "group.label"))),
    levels = levels
  )
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), args[2])
