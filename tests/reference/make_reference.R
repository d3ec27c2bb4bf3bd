# Reference values for the uncertainty of every estimate abs-trust reports, computed with R
# from the shipped fixture, independently of the Python package.
#
# Run once by hand from the repository root (R >= 4.2 with survey, MASS, polycor, sandwich,
# numDeriv, haven, jsonlite):
#
#     Rscript tests/reference/make_reference.R            # writes tests/reference/r_reference.json
#
# The JSON it writes is committed; the tests (tests/test_reference_r.py) compare the package
# against it, so CI does not need R. Nothing here imports or reads the Python package's
# outputs: the fixture's .sav files are read with haven and harmonized below from the rules
# of config/crosswalk.yaml, written out again by hand (trust items 1 = a great deal ... 4 =
# none reversed to 4..1, nonresponse codes -1/7/8/9 and user-missing values to NA; age,
# sex, education, income and the weight as the crosswalk's W3/W4 entries say). The tests
# check that both harmonizations give the same respondents (every n below is compared).
#
# Conventions (the package's, stated in README "Conventions"):
# * complete cases: each estimate's design is built on the respondents it uses (R:
#   svydesign(..., data = complete_cases)); weights only = svydesign(ids = ~1, weights = ~w),
#   whose degf is n - 1.
# * the example clustered design (section "clustered") is made up for the test: PSU =
#   (idnumber - 1) %/% 12, stratum = PSU %% 5 + 1, on W4 (the fixture has no design variables).
# * correlation SE: Taylor linearization; CI tanh(atanh(r) +- qt(.975, degf) se / (1 - r^2)),
#   p = 2 pt(-|r / se|, degf).

suppressPackageStartupMessages({
  library(haven)
  library(survey)
  library(MASS)
  library(polycor)
  library(sandwich)
  library(numDeriv)
  library(jsonlite)
})
options(survey.lonely.psu = "certainty", warn = 1)

args <- commandArgs(trailingOnly = TRUE)
out_path <- if (length(args)) args[[1]] else "tests/reference/r_reference.json"
skip_bootstrap <- "--no-bootstrap" %in% args
FIXTURE <- c(W3 = "data/fixture/W3_china_synthetic.sav", W4 = "data/fixture/W4_china_synthetic.sav")
INSTITUTIONS <- c(
  executive = "q7", courts = "q8", national_government = "q9", political_parties = "q10",
  parliament = "q11", civil_service = "q12", military = "q13", police = "q14",
  local_government = "q15", newspapers = "q16", television = "q17",
  election_commission = "q18", ngos = "q19"
)
TABLE4 <- c("courts", "national_government", "parliament", "civil_service", "military",
            "police", "local_government", "newspapers", "television", "ngos")
CONTROLS <- c("age", "female", "education", "income")
MIN_CELL <- 30

# ------------------------------------------------------------------------------ harmonize

keep <- function(x, valid) ifelse(x %in% valid, x, NA_real_)

harmonize <- function(wave) {
  raw <- read_sav(FIXTURE[[wave]])  # user-missing values (W3 declares some) become NA
  raw <- raw[as.numeric(zap_labels(raw$country)) == 4, ]
  num <- function(name) as.numeric(zap_labels(raw[[name]]))
  out <- data.frame(idnumber = num("idnumber"))
  for (inst in names(INSTITUTIONS)) {
    code <- num(INSTITUTIONS[[inst]])
    stopifnot(all(is.na(code) | code %in% c(1, 2, 3, 4, -1, 7, 8, 9)))
    out[[inst]] <- ifelse(code %in% 1:4, 5 - code, NA_real_)  # 1 = a great deal -> 4
  }
  w3 <- wave == "W3"
  age <- num(if (w3) "se3a" else "se3_2")
  out$age <- ifelse(!is.na(age) & age >= 15 & age <= 110, age, NA_real_)
  sex <- num("se2")
  out$female <- ifelse(sex == 2, 1, ifelse(sex == 1, 0, NA_real_))
  out$education <- keep(num("se5"), 1:10)
  out$income <- keep(num(if (w3) "se13" else "se14"), 1:5)
  out$w <- num(if (w3) "allweight" else "w")
  out
}

data <- list(W3 = harmonize("W3"), W4 = harmonize("W4"))

weighted_design <- function(d) svydesign(ids = ~1, weights = ~w, data = d)
srs_design <- function(d) svydesign(ids = ~1, weights = ~one, data = transform(d, one = 1))

clustered <- function(d) {
  d$psu <- (d$idnumber - 1) %/% 12
  d$stratum <- d$psu %% 5 + 1
  d
}
clustered_design <- function(d) {
  svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
}

# ------------------------------------------------------------------------------ shares

share_row <- function(d, wave, inst, weighted, nonresponse, design_of = weighted_design) {
  item <- d[[inst]]
  sub <- if (nonresponse == "exclude") d[!is.na(item), ] else d
  sub$y <- as.numeric(!is.na(sub[[inst]]) & sub[[inst]] %in% c(3, 4))
  des <- if (weighted) design_of(sub) else srs_design(sub)
  m <- svymean(~y, des)
  ci <- function(method, df = degf(des)) {
    as.numeric(attr(svyciprop(~y, des, method = method, df = df), "ci"))
  }
  list(
    wave = wave, institution = inst, weighted = weighted, nonresponse = nonresponse,
    n = nrow(sub), p = as.numeric(coef(m)), se = as.numeric(SE(m)), df = degf(des),
    wald = ci("mean", Inf), logit = ci("logit"), korn_graubard = ci("beta")
  )
}

shares <- list()
for (wave in names(data)) for (inst in names(INSTITUTIONS)) {
  if (all(is.na(data[[wave]][[inst]]))) next
  for (weighted in c(FALSE, TRUE)) for (nr in c("exclude", "as_not_trusting")) {
    shares[[length(shares) + 1]] <- share_row(data[[wave]], wave, inst, weighted, nr)
  }
}

# ------------------------------------------------------------------------------ changes

find_share <- function(wave, inst, weighted) {
  for (s in shares) {
    if (s$wave == wave && s$institution == inst && s$weighted == weighted &&
        s$nonresponse == "exclude") return(s)
  }
  stop("no share")
}

change_row <- function(inst, convention, w3, w4) {
  a <- find_share("W3", inst, w3)
  b <- find_share("W4", inst, w4)
  change <- 100 * (b$p - a$p)
  v1 <- (100 * a$se)^2
  v2 <- (100 * b$se)^2
  se <- sqrt(v1 + v2)
  df <- (v1 + v2)^2 / (v1^2 / a$df + v2^2 / b$df)  # Welch-Satterthwaite
  q <- qt(0.975, df)
  list(institution = inst, convention = convention, weighted_from = w3, weighted_to = w4,
       change = change, se = se, df = df, ci_low = change - q * se, ci_high = change + q * se,
       p = 2 * pt(-abs(change / se), df))
}

changes <- list()
for (inst in TABLE4) {
  changes[[length(changes) + 1]] <- change_row(inst, "headline", FALSE, TRUE)
  changes[[length(changes) + 1]] <- change_row(inst, "weighted", TRUE, TRUE)
  changes[[length(changes) + 1]] <- change_row(inst, "unweighted", FALSE, FALSE)
}

# ------------------------------------------------------------------------------ correlations

partial_of <- function(C) {
  P <- solve(C)
  -P[1, 2] / sqrt(P[1, 1] * P[2, 2])
}

inference <- function(r, se, df) {
  q <- qt(0.975, df)
  half <- q * se / (1 - r^2)
  list(r = r, se = se, df = df, ci_low = tanh(atanh(r) - half), ci_high = tanh(atanh(r) + half),
       p = 2 * pt(-abs(r / se), df))
}

# Pearson: svyvar's linearized covariance matrix, then the delta method through the
# partial correlation (numDeriv's Richardson gradient over the matrix entries)
pearson_svyvar <- function(des, vars) {
  sv <- svyvar(as.formula(paste("~", paste(vars, collapse = "+"))), des)
  C <- as.matrix(sv)
  V <- vcov(sv)
  p <- length(vars)
  g <- grad(function(v) partial_of(matrix(v, p, p)), as.vector(C))
  r <- partial_of(C)
  inference(r, sqrt(drop(t(g) %*% V %*% g)), degf(des))
}

# The weighted ridit Spearman coefficient as a function of the weights: each variable's
# weighted mid-rank F(v-) + f(v)/2 on the 0-1 scale, then the weighted (partial) Pearson
# correlation of the ridits. Category indices are found once; each call is then cheap.
spearman_factory <- function(d, vars) {
  idx <- lapply(vars, function(v) match(d[[v]], sort(unique(d[[v]]))))
  function(w) {
    W <- sum(w)
    R <- vapply(idx, function(i) {
      share <- as.vector(rowsum(w, i, reorder = TRUE)) / W
      (cumsum(share) - share / 2)[i]
    }, numeric(length(w)))
    centred <- sweep(R, 2, colSums(R * w) / W)
    partial_of(crossprod(centred, centred * w) / W)
  }
}

# A statistic's linearized variable by numerical differentiation in each respondent's
# weight, z_i = d theta / d w_i (central differences), and its SE as svytotal's: the
# design variance of sum_i w_i z_i. Generic and slow; independent of any closed form.
numeric_scores <- function(stat, w, h = 1e-5) {
  vapply(seq_along(w), function(i) {
    up <- w; up[i] <- up[i] * (1 + h)
    down <- w; down[i] <- down[i] * (1 - h)
    (stat(up) - stat(down)) / (2 * h * w[i])
  }, numeric(1))
}

svytotal_se <- function(des, z) {
  des <- update(des, z_lin = z)
  as.numeric(SE(svytotal(~z_lin, des)))
}

# Two-step polychoric (thresholds from the margins, then rho), on polycor's own bivariate
# normal cell probabilities (polycor:::binBvn, mvtnorm). rho is the root of the score
# sum_c N_c (d P_c / d rho) / P_c, d Phi2 / d rho = phi2 (Plackett's identity): a root is
# found to ~1e-15, a minimum of the log-likelihood only to ~sqrt(eps), too coarse for the
# numerical derivatives below.
phi2 <- function(h, k, rho) {
  out <- exp(-(h^2 - 2 * rho * h * k + k^2) / (2 * (1 - rho^2))) / (2 * pi * sqrt(1 - rho^2))
  ifelse(is.finite(h) & is.finite(k), out, 0)
}
poly2 <- function(tab) {
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  n <- sum(tab)
  rc <- c(-Inf, qnorm(head(cumsum(rowSums(tab)) / n, -1)), Inf)
  cc <- c(-Inf, qnorm(head(cumsum(colSums(tab)) / n, -1)), Inf)
  score <- function(rho) {
    D <- outer(rc, cc, phi2, rho = rho)
    dP <- D[-1, -1] - D[-length(rc), -1] - D[-1, -length(cc)] + D[-length(rc), -length(cc)]
    sum(tab * dP / polycor:::binBvn(rho, rc[2:(length(rc) - 1)], cc[2:(length(cc) - 1)]))
  }
  uniroot(score, c(-0.95, 0.95), tol = 1e-15)$root
}

weighted_table <- function(a, b, w) {
  la <- sort(unique(a)); lb <- sort(unique(b))
  tab <- matrix(0, length(la), length(lb))
  idx <- cbind(match(a, la), match(b, lb))
  for (i in seq_len(nrow(idx))) tab[idx[i, 1], idx[i, 2]] <- tab[idx[i, 1], idx[i, 2]] + w[i]
  list(tab = tab, idx = idx)
}

polychoric_weighted <- function(d, des) {
  wt <- weighted_table(d$local_government, d$ngos, d$w)
  rho <- poly2(wt$tab)
  # d rho / d N_c for every cell by central differences; a respondent in cell c has
  # z_i = d rho / d w_i = d rho / d N_c
  D <- wt$tab * 0
  for (k in which(wt$tab > 0)) {  # an empty cell has no respondent to differentiate
    h <- 1e-3 * wt$tab[k]
    up <- wt$tab; up[k] <- up[k] + h
    down <- wt$tab; down[k] <- down[k] - h
    D[k] <- (poly2(up) - poly2(down)) / (2 * h)
  }
  z <- D[wt$idx]
  inference(rho, svytotal_se(des, z), degf(des))
}

corr_rows <- list()
add_corr <- function(row, ...) corr_rows[[length(corr_rows) + 1]] <<- c(list(...), row)

for (wave in names(data)) {
  d <- data[[wave]]
  for (controls in list(character(0), CONTROLS)) {
    vars <- c("local_government", "ngos", controls)
    cc <- d[complete.cases(d[, vars]), ]
    des <- weighted_design(cc)
    label <- paste(controls, collapse = "+")
    add_corr(pearson_svyvar(des, vars), wave = wave, method = "pearson", controls = label,
             design = "weights only", n = nrow(cc))
    stat <- spearman_factory(cc, vars)
    r <- stat(cc$w)
    add_corr(inference(r, svytotal_se(des, numeric_scores(stat, cc$w)), degf(des)), wave = wave,
             method = "spearman", controls = label, design = "weights only", n = nrow(cc))
    if (!length(controls)) {
      add_corr(polychoric_weighted(cc, des), wave = wave, method = "polychoric",
               controls = label, design = "weights only", n = nrow(cc))
    }
  }
}

# cross-check of the two routes on one estimate: numerical z through svytotal equals
# svyvar + delta (Pearson, W4, partial)
local({
  d <- data$W4
  vars <- c("local_government", "ngos", CONTROLS)
  cc <- d[complete.cases(d[, vars]), ]
  des <- weighted_design(cc)
  X <- as.matrix(cc[, vars])
  stat <- function(w) {
    centred <- sweep(X, 2, colSums(X * w) / sum(w))
    partial_of(crossprod(centred, centred * w) / sum(w))
  }
  a <- svytotal_se(des, numeric_scores(stat, cc$w))
  b <- pearson_svyvar(des, vars)$se
  stopifnot(abs(a - b) < 1e-7)
})

# ------------------------------------------------------------------------------ models

model_formula <- function(cc) {
  term <- function(v) if (all(table(cc[[v]]) >= MIN_CELL)) sprintf("factor(%s)", v) else v
  rhs <- c("local_government", "age", "female", term("education"), term("income"))
  list(rhs = rhs, categorical = grepl("^factor", rhs))
}

python_term <- function(name) {
  # R's coefficient names -> the package's (patsy's) names
  name <- sub("^factor\\((\\w+)\\)(\\d+)$", "C(\\1)[T.\\2]", name)
  name <- sub("^\\(Intercept\\)$", "Intercept", name)
  name
}

wald_chi2 <- function(b, V, idx) {
  drop(t(b[idx]) %*% solve(V[idx, idx]) %*% b[idx])
}

model_rows <- list()
wald_rows <- list()
add_model <- function(...) model_rows[[length(model_rows) + 1]] <<- list(...)
add_wald <- function(...) wald_rows[[length(wald_rows) + 1]] <<- list(...)

for (wave in names(data)) {
  d <- data[[wave]]
  vars <- c("ngos", "local_government", CONTROLS)
  cc <- d[complete.cases(d[, vars]), ]
  spec <- model_formula(cc)
  cc$ngos_f <- factor(cc$ngos, levels = 1:4, ordered = TRUE)
  f_olr <- as.formula(paste("ngos_f ~", paste(spec$rhs, collapse = " + ")))
  f_ols <- as.formula(paste("ngos ~", paste(spec$rhs, collapse = " + ")))
  tight <- list(reltol = 1e-15, maxit = 5000)
  fits <- list(
    list(model = "ordered_logit", weighted = FALSE,
         fit = polr(f_olr, data = cc, Hess = TRUE, method = "logistic", control = tight)),
    list(model = "ordered_logit", weighted = TRUE,
         fit = svyolr(f_olr, weighted_design(cc), control = tight)),
    list(model = "ordered_logit_clustered", weighted = TRUE,
         fit = svyolr(f_olr, clustered_design(clustered(cc)), control = tight))
  )
  if (wave != "W4") fits[[3]] <- NULL  # the made-up design is W4's only
  for (f in fits) {
    fit <- f$fit
    b <- if (inherits(fit, "svyolr")) coef(fit) else c(coef(fit), fit$zeta)
    V <- vcov(fit)
    stopifnot(identical(names(b), rownames(V)))
    for (k in seq_along(b)) {
      add_model(wave = wave, model = f$model, weighted = f$weighted, n = nrow(cc),
                term = python_term(names(b)[k]), coef = unname(b[k]), se = sqrt(V[k, k]))
    }
    for (v in c("education", "income")) {
      idx <- grep(sprintf("^factor\\(%s\\)", v), names(b))
      if (!length(idx)) next
      stat <- wald_chi2(b, V, idx)
      add_wald(wave = wave, model = f$model, weighted = f$weighted,
               term = sprintf("C(%s)", v), test = "wald_chi2", statistic = stat,
               df_num = length(idx), df_den = NA, p = pchisq(stat, length(idx), lower.tail = FALSE))
    }
  }
  # WLS under the made-up clustered design (W4): svyglm's sandwich, t on degf - p + 1, and
  # regTermTest's Wald F of each categorical control on (q, df.residual)
  if (wave == "W4") {
    fit <- svyglm(f_ols, clustered_design(clustered(cc)))
    b <- coef(fit)
    V <- vcov(fit)
    for (k in seq_along(b)) {
      add_model(wave = wave, model = "wls_clustered", weighted = TRUE, n = nrow(cc),
                term = python_term(names(b)[k]), coef = unname(b[k]), se = sqrt(V[k, k]),
                df = fit$df.residual)
    }
    for (v in c("education", "income")) {
      idx <- grep(sprintf("^factor\\(%s\\)", v), names(b))
      if (!length(idx)) next
      test <- regTermTest(fit, as.formula(sprintf("~factor(%s)", v)), method = "Wald")
      add_wald(wave = wave, model = "wls_clustered", weighted = TRUE,
               term = sprintf("C(%s)", v), test = "wald_F", statistic = as.numeric(test$Ftest),
               df_num = test$df, df_den = test$ddf, p = as.numeric(test$p))
    }
  }
  # OLS / WLS with HC1 SEs: the joint F test of each categorical control
  for (weighted in c(FALSE, TRUE)) {
    fit <- if (weighted) lm(f_ols, data = cc, weights = w) else lm(f_ols, data = cc)
    V <- vcovHC(fit, type = "HC1")
    b <- coef(fit)
    for (v in c("education", "income")) {
      idx <- grep(sprintf("^factor\\(%s\\)", v), names(b))
      if (!length(idx)) next
      q <- length(idx)
      stat <- wald_chi2(b, V, idx) / q
      add_wald(wave = wave, model = if (weighted) "wls" else "ols", weighted = weighted,
               term = sprintf("C(%s)", v), test = "wald_F", statistic = stat, df_num = q,
               df_den = fit$df.residual, p = pf(stat, q, fit$df.residual, lower.tail = FALSE))
    }
  }
}

# ------------------------------------------------------------------------------ nonresponse

bound_rows <- list()
for (wave in names(data)) {
  d <- data[[wave]]
  for (fx in c(1, 4)) for (fy in c(1, 4)) for (weighted in c(FALSE, TRUE)) {
    x <- ifelse(is.na(d$local_government), fx, d$local_government)
    y <- ifelse(is.na(d$ngos), fy, d$ngos)
    w <- if (weighted) d$w else rep(1, nrow(d))
    r <- cov.wt(cbind(x, y), wt = w, cor = TRUE)$cor[1, 2]
    bound_rows[[length(bound_rows) + 1]] <- list(
      wave = wave, weighted = weighted, fill_x = fx, fill_y = fy, r = r, n = nrow(d)
    )
  }
}

# ------------------------------------------------------------------------------ clustered

clustered_rows <- list()
local({
  d <- clustered(data$W4)
  for (inst in c("national_government", "local_government", "ngos")) {
    for (nr in c("exclude", "as_not_trusting")) {
      row <- share_row(d, "W4", inst, TRUE, nr, design_of = clustered_design)
      clustered_rows[[length(clustered_rows) + 1]] <<- c(list(quantity = "share"), row)
    }
  }
  for (controls in list(character(0), CONTROLS)) {
    vars <- c("local_government", "ngos", controls)
    cc <- d[complete.cases(d[, vars]), ]
    des <- clustered_design(cc)
    label <- paste(controls, collapse = "+")
    rows <- list(pearson = pearson_svyvar(des, vars))
    stat <- spearman_factory(cc, vars)
    rows$spearman <- inference(stat(cc$w), svytotal_se(des, numeric_scores(stat, cc$w)), degf(des))
    if (!length(controls)) rows$polychoric <- polychoric_weighted(cc, des)
    for (m in names(rows)) {
      clustered_rows[[length(clustered_rows) + 1]] <<- c(
        list(quantity = "correlation", wave = "W4", method = m, controls = label,
             n = nrow(cc)), rows[[m]]
      )
    }
  }
})

# ------------------------------------------------------------------------------ bootstrap

# The polychoric SEs (bivariate and partial, weighted and unweighted) against a
# nonparametric bootstrap: respondents resampled with replacement (with their weights: the
# bootstrap of a weights-only design), each replicate estimated from scratch. The
# bivariate normal CDF is Plackett's integral by 20-point Gauss-Legendre (vectorised; the
# correlations here are below 0.9, where it is exact to ~1e-15; checked against polycor).

gauss_legendre <- local({
  n <- 20
  i <- seq_len(n - 1)
  J <- matrix(0, n, n)
  J[cbind(i, i + 1)] <- J[cbind(i + 1, i)] <- i / sqrt(4 * i^2 - 1)
  e <- eigen(J, symmetric = TRUE)
  list(x = e$values, w = 2 * e$vectors[1, ]^2)
})

pbvn <- function(h, k, rho) {
  stopifnot(abs(rho) < 0.9)
  h <- pmin(pmax(h, -10), 10)
  k <- pmin(pmax(k, -10), 10)
  a <- asin(rho) / 2
  s <- sin(a * (gauss_legendre$x + 1))
  hk <- h * k
  hs <- (h^2 + k^2) / 2
  terms <- vapply(seq_along(s), function(j) exp((s[j] * hk - hs) / (1 - s[j]^2)), numeric(length(h)))
  pnorm(h) * pnorm(k) + a / (2 * pi) * drop(matrix(terms, length(h)) %*% gauss_legendre$w)
}

local({  # the quadrature against mvtnorm's bivariate normal CDF
  set.seed(1)
  for (rho in c(-0.6, 0.1, 0.45, 0.85)) {
    h <- rnorm(20); k <- rnorm(20)
    ref <- mapply(function(a, b) {
      mvtnorm::pmvnorm(upper = c(a, b), corr = matrix(c(1, rho, rho, 1), 2))
    }, h, k)
    stopifnot(max(abs(pbvn(h, k, rho) - ref)) < 1e-12)
  }
})

poly_fast <- function(tab) {
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  n <- sum(tab)
  rc <- c(-Inf, qnorm(head(cumsum(rowSums(tab)) / n, -1)), Inf)
  cc <- c(-Inf, qnorm(head(cumsum(colSums(tab)) / n, -1)), Inf)
  grid <- expand.grid(h = rc, k = cc)
  nll <- function(rho) {
    F <- matrix(pbvn(grid$h, grid$k, rho), length(rc))
    P <- F[-1, -1] - F[-nrow(F), -1] - F[-1, -ncol(F)] + F[-nrow(F), -ncol(F)]
    -sum(tab * log(pmax(P, 1e-300)))
  }
  optimize(nll, c(-0.89, 0.89), tol = 1e-10)$minimum
}

wtable <- function(a, b, w) {
  tapply(w, list(factor(a, levels = sort(unique(a))), factor(b, levels = sort(unique(b)))), sum,
         default = 0)
}

polyserial_w <- function(codes, values, w) {
  lev <- sort(unique(codes))
  share <- tapply(w, factor(codes, levels = lev), sum) / sum(w)
  tau <- qnorm(head(cumsum(share), -1))
  C <- cov.wt(cbind(codes, values), wt = w, method = "ML")$cov
  C[1, 2] / (sqrt(C[2, 2]) * sum(dnorm(tau) * diff(lev)))
}

partial_polychoric <- function(d, w) {
  vars <- c("local_government", "ngos", CONTROLS)
  ordinal <- c(TRUE, TRUE, FALSE, FALSE, TRUE, TRUE)  # age and female enter as continuous
  p <- length(vars)
  R <- diag(p)
  for (i in 1:(p - 1)) for (j in (i + 1):p) {
    a <- d[[vars[i]]]; b <- d[[vars[j]]]
    R[i, j] <- R[j, i] <- if (ordinal[i] && ordinal[j]) {
      poly_fast(wtable(a, b, w))
    } else if (ordinal[i]) {
      polyserial_w(a, b, w)
    } else if (ordinal[j]) {
      polyserial_w(b, a, w)
    } else {
      cov.wt(cbind(a, b), wt = w, cor = TRUE)$cor[1, 2]
    }
  }
  partial_of(R)
}

# unweighted partial polychoric matrix: the formulas above against polycor::hetcor (ML = FALSE)
local({
  d <- data$W4
  vars <- c("local_government", "ngos", CONTROLS)
  cc <- d[complete.cases(d[, vars]), ]
  ord <- cc[, vars]
  for (v in c("local_government", "ngos", "education", "income")) ord[[v]] <- ordered(ord[[v]])
  H <- suppressWarnings(hetcor(ord, ML = FALSE, std.err = FALSE))$correlations
  ours <- partial_polychoric(cc, rep(1, nrow(cc)))
  stopifnot(abs(ours - partial_of(H)) < 1e-3)  # hetcor's optimise stops at ~1e-4 per element
})

bootstrap_rows <- list()
if (!skip_bootstrap) {
  REPS <- c(bivariate = 2000, partial = 1000)
  set.seed(20240516)
  for (wave in names(data)) {
    d <- data[[wave]]
    for (controls in list(character(0), CONTROLS)) {
      vars <- c("local_government", "ngos", controls)
      cc <- d[complete.cases(d[, vars]), ]
      kind <- if (length(controls)) "partial" else "bivariate"
      for (weighted in c(FALSE, TRUE)) {
        w <- if (weighted) cc$w else rep(1, nrow(cc))
        stat <- if (kind == "bivariate") {
          function(rows) poly_fast(wtable(cc$local_government[rows], cc$ngos[rows], w[rows]))
        } else {
          function(rows) partial_polychoric(cc[rows, ], w[rows])
        }
        full <- stat(seq_len(nrow(cc)))
        if (kind == "bivariate") {  # optimize stops at ~sqrt(eps) relative in the likelihood
          stopifnot(abs(full - poly2(weighted_table(cc$local_government, cc$ngos, w)$tab)) < 1e-6)
        }
        reps <- vapply(seq_len(REPS[[kind]]), function(b) {
          stat(sample.int(nrow(cc), replace = TRUE))
        }, numeric(1))
        bootstrap_rows[[length(bootstrap_rows) + 1]] <- list(
          wave = wave, method = "polychoric", controls = paste(controls, collapse = "+"),
          weighted = weighted, n = nrow(cc), r = full, replicates = REPS[[kind]],
          se_boot = sd(reps), ci_percentile = unname(quantile(reps, c(0.025, 0.975)))
        )
        cat(sprintf("bootstrap %s %s weighted=%s: r %.4f, SE %.5f\n", wave, kind, weighted,
                    full, sd(reps)))
      }
    }
  }
}

# ------------------------------------------------------------------------------ write

versions <- sapply(c("survey", "MASS", "polycor", "sandwich", "numDeriv", "haven", "mvtnorm",
                     "jsonlite"), function(p) as.character(packageVersion(p)))
reference <- list(
  meta = list(
    generated_by = "tests/reference/make_reference.R",
    r_version = R.version.string,
    packages = as.list(versions),
    fixture_md5 = as.list(tools::md5sum(FIXTURE)),
    conventions = c(
      "complete cases; weights only = svydesign(ids = ~1, weights = ~w), degf = n - 1",
      "clustered (W4 only, made up): psu = (idnumber - 1) %/% 12, stratum = psu %% 5 + 1, nest = TRUE",
      "correlation CI: tanh(atanh(r) +- qt(.975, degf) * se / (1 - r^2)); p = 2 pt(-|r/se|, degf)",
      "change: independent waves, se = sqrt(se1^2 + se2^2), Welch-Satterthwaite df, t interval"
    )
  ),
  shares = shares,
  changes = changes,
  correlations = corr_rows,
  models = model_rows,
  wald_tests = wald_rows,
  nonresponse_bounds = bound_rows,
  clustered = clustered_rows,
  bootstrap = bootstrap_rows
)
write_json(reference, out_path, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
cat("wrote", out_path, "\n")
