#!/usr/bin/env Rscript
# A second implementation, in R, of the numbers the Python package prints: it reads each compared release's analysis
# panel (results/data/panel_<release>.dta, written by the workflow) with haven, re-estimates every number below in its
# own code, and compares it with the package's value (results/estimates_by_release.csv, referee_checks.csv,
# causal_checks.csv). No Python is involved between the panel and the R estimate.
#
#   Rscript src/R/second_implementation.R --results results --out results/checks/second_implementation.csv
#
# Blocks (column `block` of the output):
#   tables      Tables 3-6 and the DVA columns: every coefficient and SE, N and the within R^2. Two-way FE as Stata's
#               `xtreg y x i.year, fe vce(cluster iso3)`: OLS on the country-demeaned data (the grand mean added back,
#               so that _cons = ybar - xbar'b), SEs sandwich::vcovCL(type = "HC0", cadjust = TRUE) * (N-1)/(N-K), K the
#               slopes, the year dummies and the constant (the country effects are nested in the clusters).
#   2sls        Both stages (AER::ivreg on the same demeaned data, the same SE convention), N, the within R^2, and the
#               identification statistics of ivreg2 with one endogenous regressor and one instrument: Kleibergen-Paap
#               rk LM (the cluster-robust score test of the first stage, residuals under Pi = 0), KP rk Wald F (the
#               squared cluster-robust first-stage t, CR1) and the Cragg-Donald F (the homoskedastic first-stage F).
#   referee     lead, lag, lagged outcome (two-way FE as above), long difference (OLS, HC1), first difference (OLS with
#               year dummies, CR1 clustered by country), leave one country out (two-way FE without the country, by the
#               QR decomposition and the clustered sandwich written out, checked against lm and vcovCL on each cell).
#   causal      difference GMM (plm::pgmm, two-step, Windmeijer SEs: the setting the package states in the row),
#               the plausibly exogenous instrument (Conley-Hansen-Rossi: the 2SLS of y - gamma L.TBI at gamma = 0, 1, -1,
#               the union-of-intervals and local-to-zero breakdown delta at 95 and 90 %), omitted-variable sensitivity
#               (Cinelli-Hazlett partial R^2, robustness values, benchmark bounds and adjusted estimates) and the TWFE
#               weights (de Chaisemartin-D'Haultfoeuille by hand: counts, the negative sum and sigma_ate_zero).
# Not re-derived here: system GMM (its instrument layout is xtabond2's, which plm::pgmm's system GMM does not share;
# the package's system GMM is tested against xtabond2's published abdata results instead), the wild bootstraps and the
# randomization tests (simulated), and sigma_opposite_sign.
#
# Tolerance: |package - R| <= 1e-6 * max(|package|, 1e-3), or <= 1e-9 absolute (a value that is zero in both). The
# package writes its CSVs to 10 significant digits, so agreement to 1e-6 leaves room only for the rounding of the files.
# With --strict the script exits 1 when any number disagrees (after writing the file).

suppressPackageStartupMessages({
  library(haven)
  library(sandwich)
  library(lmtest)
  library(AER)
  library(plm)
})

args <- commandArgs(trailingOnly = TRUE)
opt <- function(name, default = NULL) {
  i <- match(paste0("--", name), args)
  if (is.na(i)) default else args[i + 1]
}
RESULTS <- opt("results", "results")
OUT <- opt("out", file.path(RESULTS, "checks", "second_implementation.csv"))
ESTIMATES <- opt("estimates", file.path(RESULTS, "estimates_by_release.csv"))
REFEREE <- opt("referee", file.path(RESULTS, "referee_checks.csv"))
CAUSAL <- opt("causal", file.path(RESULTS, "causal_checks.csv"))
STRICT <- "--strict" %in% args
TOL <- 1e-6

say <- function(...) cat(sprintf(...), "\n", sep = "")

# ------------------------------------------------------------------------------------------------ the comparison rows
rows <- list()
compare <- function(block, key, quantity, package, r, tolerance = TOL, note = "") {
  package <- as.numeric(package)
  r <- as.numeric(r)
  if (length(package) != 1 || is.na(package)) return(invisible(NULL))  # the package reports no number here
  d <- abs(package - r)
  rel <- d / max(abs(package), 1e-3)
  ok <- !is.na(r) && (d <= tolerance * max(abs(package), 1e-3) || d <= 1e-9)
  # a plain list per row, made a data frame once at the end (a data frame per row costs more than the estimate)
  rows[[length(rows) + 1]] <<- list(
    block = block, release = key$release, table = key$table, column = key$column, depvar = key$depvar, sample = key$sample,
    check = key$check, term = key$term, quantity = quantity, package = package, r = r, abs_diff = d, rel_diff = rel,
    tolerance = tolerance, pass = ok, note = note
  )
  invisible(NULL)
}

# ------------------------------------------------------------------------------------------------ estimators
sample_rows <- function(d, sample) if (sample == "all") d else d[d$group == sample, , drop = FALSE]

year_dummies <- function(d) {
  ys <- sort(unique(d$year))
  if (length(ys) < 2) return(matrix(numeric(0), nrow(d), 0))
  m <- sapply(ys[-1], function(y) as.numeric(d$year == y))
  m <- matrix(m, nrow = nrow(d))
  colnames(m) <- paste0("yr", ys[-1])
  m
}

# Country means swept out, the grand mean added back (xtreg, fe): a constant column stays a column of ones.
demean <- function(m, id) {
  m <- as.matrix(m)
  f <- factor(id)
  means <- rowsum(m, f, reorder = TRUE) / as.vector(table(f))  # the country means, all columns at once
  m - means[as.integer(f), , drop = FALSE] + rep(colMeans(m), each = nrow(m))
}

cluster_vcov <- function(fit, cluster, n, k) {
  vcovCL(fit, cluster = cluster, type = "HC0", cadjust = TRUE) * (n - 1) / (n - k)
}

within_r2 <- function(y, resid, id) 1 - sum(resid^2) / sum((y - ave(y, id))^2)

# The two-way FE design: the rows by country and year, the regressors (constant, x, year dummies), both demeaned.
fe_design <- function(d, y, x) {
  d <- d[order(d$iso3, d$year), , drop = FALSE]
  X <- cbind(const = 1, as.matrix(d[, x, drop = FALSE]), year_dummies(d))
  list(d = d, X = X, Xw = demean(X, d$iso3), yw = as.numeric(demean(d[[y]], d$iso3)))
}

# Two-way FE: coefficients (the constant named const) with their clustered SEs, N and the within R^2.
fe <- function(d, y, x) {
  z <- fe_design(d, y, x)
  d <- z$d; X <- z$X; Xw <- z$Xw; yw <- z$yw
  fit <- lm(yw ~ Xw - 1)
  b <- coef(fit)
  names(b) <- colnames(X)
  n <- nrow(d)
  v <- cluster_vcov(fit, d$iso3, n, ncol(X))
  se <- sqrt(diag(v))
  names(se) <- colnames(X)
  list(coef = b, se = se, n = n, r2 = within_r2(d[[y]], residuals(fit), d$iso3), resid = residuals(fit), X = Xw, y = yw)
}

# The same two-way FE by the QR decomposition, with the clustered sandwich written out: (X'X)^-1 S'S (X'X)^-1 times
# G/(G-1) (N-1)/(N-K), S the per-country sums of x_i e_i (what vcovCL(type = "HC0", cadjust = TRUE) computes). For the
# leave-one-out fits, about 820 of them: 1.5 ms a fit where lm and vcovCL take 3.9 ms. check_referee checks it against
# fe() on every cell's full sample before using it.
fe_qr <- function(d, y, x) {
  z <- fe_design(d, y, x)
  d <- z$d; X <- z$X; Xw <- z$Xw; yw <- z$yw
  q <- qr(Xw)
  if (q$rank < ncol(Xw)) stop(sprintf("fe_qr: %d regressors, rank %d", ncol(Xw), q$rank))
  b <- setNames(qr.coef(q, yw), colnames(X))
  bread <- chol2inv(qr.R(q))
  s <- rowsum(Xw * qr.resid(q, yw), d$iso3)
  n <- nrow(d)
  g <- nrow(s)
  v <- bread %*% crossprod(s) %*% bread * g / (g - 1) * (n - 1) / (n - ncol(X))
  list(coef = b, se = setNames(sqrt(diag(v)), colnames(X)), n = n)
}

# 2SLS with country and year effects: y on endog (instrumented by inst) and the controls, on the demeaned data.
tsls <- function(d, y, endog, inst, x) {
  z <- fe_design(d, y, x)
  d <- z$d; W <- z$X; Ww <- z$Xw; yw <- z$yw
  ew <- as.numeric(demean(d[[endog]], d$iso3))
  zw <- as.numeric(demean(d[[inst]], d$iso3))
  n <- nrow(d)
  k <- ncol(W) + 1
  second <- ivreg(yw ~ ew + Ww - 1 | zw + Ww - 1)
  b <- coef(second)
  names(b) <- c("TBI", colnames(W))
  v2 <- cluster_vcov(second, d$iso3, n, k)
  first <- lm(ew ~ zw + Ww - 1)
  fb <- coef(first)
  names(fb) <- c("L.TBI", colnames(W))
  v1 <- cluster_vcov(first, d$iso3, n, k)
  resid2 <- yw - cbind(ew, Ww) %*% b
  # identification statistics (ivreg2, one endogenous regressor, one excluded instrument): partial the included
  # exogenous regressors out of the endogenous regressor and the instrument
  qr_w <- qr(Ww)
  p <- qr_w$rank
  et <- qr.resid(qr_w, ew)
  zt <- qr.resid(qr_w, zw)
  g <- length(unique(d$iso3))
  pi_hat <- sum(zt * et) / sum(zt^2)
  score_lm <- tapply(zt * et, d$iso3, sum)
  score_wald <- tapply(zt * (et - zt * pi_hat), d$iso3, sum)
  rk_lm <- sum(zt * et)^2 / sum(score_lm^2)
  rk_wald <- (pi_hat * sum(zt^2))^2 / sum(score_wald^2)
  kp_f <- rk_wald / (n - 1) * (n - 1 - p) * (g - 1) / g
  rho2 <- sum(zt * et)^2 / (sum(zt^2) * sum(et^2))
  cd_f <- rho2 / (1 - rho2) * (n - 1 - p)
  se2 <- setNames(sqrt(diag(v2)), names(b))
  se1 <- setNames(sqrt(diag(v1)), names(fb))
  list(
    coef = b, se = se2, n = n, r2 = within_r2(d[[y]], as.numeric(resid2), d$iso3),
    first = list(coef = fb, se = se1, n = n, r2 = within_r2(d[[endog]], residuals(first), d$iso3)),
    kp_lm = rk_lm, kp_f = kp_f, cd_f = cd_f, crit = qt(0.975, g - 1), g = g
  )
}

# ------------------------------------------------------------------------------------------------ the package's numbers
est <- read.csv(ESTIMATES, stringsAsFactors = FALSE, colClasses = c(table = "character"))
releases <- unique(est$release)
panels <- list()
for (r in releases) {
  path <- file.path(RESULTS, "data", paste0("panel_", r, ".dta"))
  if (!file.exists(path)) stop(sprintf("%s: the analysis panel of release %s is missing (the workflow's compare_releases writes it)", path, r))
  p <- as.data.frame(read_dta(path))
  p$iso3 <- as.character(p$iso3)
  p$group <- as.character(p$group)
  panels[[r]] <- p
}
spec_key <- function(s, check = "", term = "") list(release = s$release, table = s$table, column = s$column, depvar = s$depvar, sample = s$sample, check = check, term = term)
controls_of <- function(release) {
  v <- unique(est$variable[est$release == release & est$stage == "second"])
  setdiff(v, c("const", "TBI"))
}

# ------------------------------------------------------------------------------------------------ tables and 2SLS
specs <- unique(est[est$stage == "second", c("release", "table", "column", "depvar", "sample", "controls", "estimator")])
for (i in seq_len(nrow(specs))) {
  s <- specs[i, ]
  p <- sample_rows(panels[[s$release]], s$sample)
  x <- if (toupper(as.character(s$controls)) == "TRUE") controls_of(s$release) else character(0)
  tbi <- if (s$table == "dva") "TBI_DVA" else "TBI"
  mine <- est[est$release == s$release & est$table == s$table & est$column == s$column, ]
  if (s$estimator == "2sls") {
    d <- p[!is.na(p$L_TBI) & complete.cases(p[, c(s$depvar, "TBI", x)]), ]
    f <- tsls(d, s$depvar, "TBI", "L_TBI", x)
    for (stage in c("second", "first")) {
      fit <- if (stage == "second") f else f$first
      m <- mine[mine$stage == stage, ]
      for (j in seq_len(nrow(m))) {
        v <- m$variable[j]
        key <- spec_key(s, paste("2SLS", stage, "stage"), v)
        compare("2sls", key, "coef", m$coef[j], fit$coef[[v]])
        compare("2sls", key, "se", m$se[j], fit$se[[v]])
      }
      key <- spec_key(s, paste("2SLS", stage, "stage"), "")
      compare("2sls", key, "nobs", m$nobs[1], fit$n)
      compare("2sls", key, "r2", m$r2[1], fit$r2)
    }
    t <- mine[mine$stage == "second" & mine$variable == "TBI", ]
    key <- spec_key(s, "2SLS identification", "TBI")
    compare("2sls", key, "kp_lm", t$kp_lm, f$kp_lm)
    compare("2sls", key, "kp_wald_f", t$kp_wald_f, f$kp_f)
    compare("2sls", key, "cd_wald_f", t$cd_wald_f, f$cd_f)
  } else {
    d <- p[complete.cases(p[, c(s$depvar, tbi, x)]), ]
    d$TBI <- d[[tbi]]
    f <- fe(d, s$depvar, c("TBI", x))
    for (j in seq_len(nrow(mine))) {
      v <- mine$variable[j]
      key <- spec_key(s, "two-way FE", v)
      compare("tables", key, "coef", mine$coef[j], f$coef[[v]])
      compare("tables", key, "se", mine$se[j], f$se[[v]])
    }
    key <- spec_key(s, "two-way FE", "")
    compare("tables", key, "nobs", mine$nobs[1], f$n)
    compare("tables", key, "r2", mine$r2[1], f$r2)
  }
}
say("tables and 2SLS: %d numbers", length(rows))

# ------------------------------------------------------------------------------------------------ referee checks
# Each cell (release, table, column, sample) of one of the package's check files, with the rows the package wrote for it,
# its controls, its outcome and its estimation rows of the release's panel, handed to `check_cell`.
each_cell <- function(path, check_cell) {
  if (!file.exists(path)) return(invisible(FALSE))
  tab <- read.csv(path, stringsAsFactors = FALSE, colClasses = c(table = "character"))
  cells <- unique(tab[, c("release", "table", "column", "depvar", "sample")])
  for (i in seq_len(nrow(cells))) {
    s <- cells[i, ]
    if (!s$release %in% releases) next
    mine <- tab[tab$release == s$release & tab$table == s$table & tab$column == s$column & tab$sample == s$sample, ]
    spec <- specs[specs$release == s$release & specs$table == s$table & specs$column == s$column, ]
    x <- if (nrow(spec) && toupper(as.character(spec$controls[1])) == "TRUE") controls_of(s$release) else character(0)
    p <- sample_rows(panels[[s$release]], s$sample)
    check_cell(s, mine, x, s$depvar, p[complete.cases(p[, c(s$depvar, "TBI", x)]), ])
  }
  invisible(TRUE)
}

check_referee <- function(s, mine, x, y, p) {
    one <- function(check, terms, labels, data) {
      m <- mine[mine$check == check, ]
      if (!nrow(m) || all(is.na(m$coef))) return(invisible(NULL))
      f <- fe(data, y, c(terms, x))
      for (j in seq_along(terms)) {
        r <- m[m$term == labels[j], ]
        if (!nrow(r)) next
        key <- spec_key(s, check, labels[j])
        compare("referee", key, "coef", r$coef, f$coef[[terms[j]]])
        compare("referee", key, "se", r$se, f$se[[terms[j]]])
        compare("referee", key, "nobs", r$nobs, f$n)
      }
      invisible(f)
    }
    base <- one("baseline", "TBI", "TBI", p)  # the fit on the cell's full sample (NULL when the package has no baseline)
    one("lead", c("TBI", "F_TBI"), c("TBI", "F.TBI"), p[!is.na(p$F_TBI), ])
    one("lag", c("TBI", "L_TBI"), c("TBI", "L.TBI"), p[!is.na(p$L_TBI), ])
    ly <- paste0("L_", y)
    one("lagged outcome", c("TBI", ly), c("TBI", paste0("L.", y)), p[!is.na(p[[ly]]), ])
    # long difference: each country's first to last period, OLS with HC1 SEs
    m <- mine[mine$check == "long difference" & !is.na(mine$coef), ]
    if (nrow(m)) {
      q <- p[order(p$iso3, p$year), ]
      firsts <- q[!duplicated(q$iso3), ]
      lasts <- q[!duplicated(q$iso3, fromLast = TRUE), ]
      keep <- lasts$year > firsts$year
      cols <- c(y, "TBI", x)
      dd <- as.data.frame(as.matrix(lasts[keep, cols]) - as.matrix(firsts[keep, cols]))
      f <- lm(as.formula(paste0("`", y, "` ~ ", paste0("`", c("TBI", x), "`", collapse = " + "))), data = dd)
      se <- sqrt(diag(vcovHC(f, type = "HC1")))
      key <- spec_key(s, "long difference", "ΔTBI")
      compare("referee", key, "coef", m$coef, coef(f)[["TBI"]])
      compare("referee", key, "se", m$se, se[["TBI"]])
    }
    # first difference: consecutive periods of the sample, year dummies, CR1 clustered by country
    m <- mine[mine$check == "first difference" & !is.na(mine$coef), ]
    if (nrow(m)) {
      axis <- sort(unique(panels[[s$release]]$year))
      prev <- setNames(c(NA, head(axis, -1)), axis)
      q <- p
      key_of <- paste(q$iso3, q$year)
      before <- match(paste(q$iso3, prev[as.character(q$year)]), key_of)
      ok <- !is.na(before)
      cols <- c(y, "TBI", x)
      dd <- as.data.frame(as.matrix(q[ok, cols]) - as.matrix(q[before[ok], cols]))
      dd$iso3 <- q$iso3[ok]
      dd$year <- factor(q$year[ok])
      form <- paste0("`", y, "` ~ ", paste0("`", c("TBI", x), "`", collapse = " + "), if (nlevels(dd$year) > 1) " + year" else "")
      f <- lm(as.formula(form), data = dd)
      n <- nrow(dd)
      se <- sqrt(diag(cluster_vcov(f, dd$iso3, n, length(coef(f)))))
      key <- spec_key(s, "first difference", "ΔTBI")
      compare("referee", key, "coef", m$coef, coef(f)[["TBI"]])
      compare("referee", key, "se", m$se, se[["TBI"]])
      compare("referee", key, "nobs", m$nobs, n)
    }
    # leave one country out (fe_qr, checked against fe on the cell's full sample first: the baseline's fit)
    m <- mine[mine$check == "leave one out" & !is.na(mine$coef), ]
    if (nrow(m)) {
      a <- if (is.null(base)) fe(p, y, c("TBI", x)) else base
      q <- fe_qr(p, y, c("TBI", x))
      gap <- max(abs(c(a$coef - q$coef, a$se - q$se)) / pmax(abs(c(a$coef, a$se)), 1e-3))
      if (!(gap <= 1e-10)) stop(sprintf("%s Table %s column %s: fe_qr differs from lm and vcovCL by %.3g (relative)", s$release, s$table, s$column, gap))
    }
    for (j in seq_len(nrow(m))) {
      country <- sub("^without ", "", m$term[j])
      f <- fe_qr(p[p$iso3 != country, ], y, c("TBI", x))
      key <- spec_key(s, "leave one out", m$term[j])
      compare("referee", key, "coef", m$coef[j], f$coef[["TBI"]])
      compare("referee", key, "se", m$se[j], f$se[["TBI"]])
    }
}
if (each_cell(REFEREE, check_referee)) say("referee checks: %d numbers so far", length(rows))

# ------------------------------------------------------------------------------------------------ causal checks
partial_r2 <- function(t, df) t^2 / (t^2 + df)
rv <- function(t, df, alpha = NA) {
  fq <- abs(t) / sqrt(df)
  if (is.na(alpha)) return(0.5 * (sqrt(fq^4 + 4 * fq^2) - fq^2))
  fc <- abs(qt(alpha / 2, df - 1)) / sqrt(df - 1)
  fa <- fq - fc
  if (fa <= 0) return(0)
  if (fq > 1 / fc) return((fq^2 - fc^2) / (1 + fq^2))
  0.5 * (sqrt(fa^4 + 4 * fa^2) - fa^2)
}
# Within OLS with classical SEs (country effects swept out, year dummies in): coefficients, t and the residual df.
within_ols <- function(d, y, x) {
  d <- d[order(d$iso3, d$year), ]
  X <- cbind(as.matrix(d[, x, drop = FALSE]), year_dummies(d))
  Xw <- apply(X, 2, function(v) v - ave(v, d$iso3))
  yw <- d[[y]] - ave(d[[y]], d$iso3)
  f <- lm(yw ~ Xw - 1)
  df <- nrow(d) - length(unique(d$iso3)) - ncol(X)
  s2 <- sum(residuals(f)^2) / df
  se <- sqrt(diag(s2 * solve(crossprod(Xw))))
  b <- coef(f)
  names(b) <- names(se) <- colnames(X)
  list(b = b, t = b / se, se = se, df = df)
}

check_causal <- function(s, mine, x, y, p) {

    # difference GMM (plm::pgmm): the package's setting for this row (lags, year dummies or demeaning by year)
    g <- mine[mine$check == "difference GMM" & mine$term == "TBI" & !is.na(mine$coef), ]
    if (nrow(g)) {
      setting <- g$setting
      lag_hi <- as.integer(sub(".*lags 2–(\\d).*", "\\1", setting))
      demeaned <- grepl("demeaned by year", setting)
      q <- p[order(p$iso3, p$year), c("iso3", "year", y, "TBI", x)]
      axis <- sort(unique(panels[[s$release]]$year))
      q$period <- match(q$year, axis)
      names(q)[names(q) == y] <- "yy"
      if (demeaned) for (v in c("yy", "TBI", x)) q[[v]] <- q[[v]] - ave(q[[v]], q$period)
      pd <- pdata.frame(q, index = c("iso3", "period"))
      rhs <- paste(c("lag(yy, 1)", "TBI", x), collapse = " + ")
      ivs <- paste0("lag(yy, 2:", lag_hi, ") + lag(TBI, 2:", lag_hi, ")")
      form <- as.formula(paste0("yy ~ ", rhs, " | ", ivs, if (length(x)) paste0(" | ", paste(x, collapse = " + ")) else ""))
      fit <- tryCatch(
        suppressWarnings(pgmm(form, data = pd, effect = if (demeaned) "individual" else "twoways", model = "twosteps",
                              transformation = "d", collapse = TRUE)),
        error = function(e) NULL
      )
      if (!is.null(fit)) {
        b <- coef(fit)
        se <- sqrt(diag(vcovHC(fit)))
        key <- spec_key(s, "difference GMM", "TBI")
        compare("causal", key, "coef", g$coef, b[["TBI"]], note = "plm::pgmm, two-step, Windmeijer")
        compare("causal", key, "se", g$se, se[["TBI"]], note = "plm::pgmm, two-step, Windmeijer")
      }
    }

    # plausibly exogenous instrument: the 2SLS of y - gamma L.TBI at gamma = 0, 1, -1
    z <- mine[mine$check == "plausibly exogenous instrument", ]
    if (nrow(z) && any(!is.na(z$coef))) {
      d <- p[!is.na(p$L_TBI), ]
      at <- function(gamma) {
        d$y_adj <- d[[y]] - gamma * d$L_TBI
        f <- tsls(d, "y_adj", "TBI", "L_TBI", x)
        c(b = f$coef[["TBI"]], v = f$se[["TBI"]]^2, g = f$g)
      }
      f0 <- at(0); f1 <- at(1); fm <- at(-1)
      b0 <- f0[["b"]]; v0 <- f0[["v"]]; a <- (f1[["b"]] - fm[["b"]]) / 2
      v1 <- (f1[["v"]] - fm[["v"]]) / 2; v2 <- (f1[["v"]] + fm[["v"]]) / 2 - v0
      G <- f0[["g"]]
      zero <- z[z$term == "2SLS (δ = 0)", ]
      crit <- qt(0.975, G - 1)
      key <- spec_key(s, "plausibly exogenous instrument", "2SLS (δ = 0)")
      compare("causal", key, "coef", zero$coef, b0)
      compare("causal", key, "low", zero$low, b0 - crit * sqrt(v0))
      compare("causal", key, "high", zero$high, b0 + crit * sqrt(v0))
      breakdown <- function(crit) {
        lo <- b0 - crit * sqrt(v0); hi <- b0 + crit * sqrt(v0)
        uci <- if (lo <= 0 && 0 <= hi) 0 else {
          c2 <- crit^2
          qa <- a^2 - c2 * v2; qb <- 2 * b0 * a - c2 * v1; qc <- b0^2 - c2 * v0
          roots <- if (abs(qa) < 1e-15 * max(abs(qb), abs(qc), 1)) (if (qb != 0) -qc / qb else numeric(0)) else {
            disc <- qb^2 - 4 * qa * qc
            if (disc < 0) numeric(0) else c((-qb - sqrt(disc)) / (2 * qa), (-qb + sqrt(disc)) / (2 * qa))
          }
          ok <- abs(roots)[sign(b0) * (b0 + a * roots) >= -1e-12]
          if (length(ok)) min(ok) else Inf
        }
        room <- b0^2 / crit^2 - v0
        ltz <- if (room <= 0) 0 else if (a != 0) 2 * sqrt(room) / abs(a) else Inf
        c(uci = uci, ltz = ltz)
      }
      for (level in c(95, 90)) {
        bd <- breakdown(qt(1 - (1 - level / 100) / 2, G - 1))
        suffix <- if (level == 95) "" else ", 90 %"
        for (kind in c("union of intervals", "local to zero")) {
          term <- paste0("breakdown δ (", kind, suffix, ")")
          r <- z[z$term == term, ]
          if (!nrow(r) || !is.finite(r$coef)) next
          compare("causal", spec_key(s, "plausibly exogenous instrument", term), "delta", r$coef, bd[[if (kind == "local to zero") "ltz" else "uci"]])
        }
      }
    }

    # omitted-variable sensitivity (Cinelli-Hazlett)
    o <- mine[mine$check == "omitted-variable sensitivity", ]
    if (nrow(o)) {
      w <- within_ols(p, y, c("TBI", x))
      t_ols <- w$t[["TBI"]]
      df <- w$df
      r <- o[o$term == "partial R² of TBI (OLS t)", ]
      key <- spec_key(s, "omitted-variable sensitivity", "OLS t")
      compare("causal", key, "t (OLS)", r$statistic, t_ols)
      compare("causal", key, "partial R2", r$share, partial_r2(t_ols, df))
      compare("causal", key, "RV q=1", o$share[o$term == "RV q=1 (OLS t)"], rv(t_ols, df))
      compare("causal", key, "RV q=1, alpha=0.05", o$share[o$term == "RV q=1, α=0.05 (OLS t)"], rv(t_ols, df, 0.05))
      t_cl <- o$statistic[o$term == "partial R² of TBI (clustered t)"]
      key <- spec_key(s, "omitted-variable sensitivity", "clustered t")
      fe_t <- fe(p, y, c("TBI", x))
      compare("causal", key, "t (clustered)", t_cl, fe_t$coef[["TBI"]] / fe_t$se[["TBI"]])
      compare("causal", key, "partial R2", o$share[o$term == "partial R² of TBI (clustered t)"], partial_r2(t_cl, df))
      compare("causal", key, "RV q=1", o$share[o$term == "RV q=1 (clustered t)"], rv(t_cl, df))
      compare("causal", key, "RV q=1, alpha=0.05", o$share[o$term == "RV q=1, α=0.05 (clustered t)"], rv(t_cl, df, 0.05))
      if (length(x)) {
        wd <- within_ols(p, "TBI", x)
        for (j in which(grepl("^[0-9]+× ", o$term) & !is.na(o$coef))) {
          k <- as.numeric(sub("×.*", "", o$term[j]))
          cov <- sub("^[0-9]+× ", "", o$term[j])
          r2dxj <- partial_r2(wd$t[[cov]], wd$df)
          r2yxj <- partial_r2(w$t[[cov]], df)
          r2dz <- k * r2dxj / (1 - r2dxj)
          r2zxj <- k * r2dxj^2 / ((1 - k * r2dxj) * (1 - r2dxj))
          r2yz <- min(((sqrt(k) + sqrt(r2zxj)) / sqrt(1 - r2zxj))^2 * (r2yxj / (1 - r2yxj)), 1)
          b <- w$b[["TBI"]]
          bias <- w$se[["TBI"]] * sqrt(df) * sqrt(r2yz * r2dz / (1 - r2dz))
          key <- spec_key(s, "omitted-variable sensitivity", o$term[j])
          compare("causal", key, "r2dz", o$r2dz[j], r2dz)
          compare("causal", key, "r2yz", o$r2yz[j], r2yz)
          compare("causal", key, "adjusted estimate", o$coef[j], sign(b) * (abs(b) - bias))
        }
      }
    }

    # TWFE weights (de Chaisemartin & D'Haultfoeuille, by hand): w_gt = D_gt e_gt / sum(D e) over the cells with
    # D != 0, e the residual of D on the country and year effects and the controls
    tw <- mine[mine$check == "TWFE weights", ]
    for (j in seq_len(nrow(tw))) {
      D <- if (grepl("minimum", tw$term[j])) p$TBI - min(p$TBI) else p$TBI
      q <- p
      q$D <- D
      X <- cbind(as.matrix(q[, x, drop = FALSE]), year_dummies(q))
      e <- if (ncol(X)) residuals(lm(q$D - ave(q$D, q$iso3) ~ apply(X, 2, function(v) v - ave(v, q$iso3)) - 1)) else q$D - ave(q$D, q$iso3)
      treated <- q$D != 0
      wts <- (q$D * e)[treated] / sum((q$D * e)[treated])
      key <- spec_key(s, "TWFE weights", tw$term[j])
      compare("causal", key, "n_positive", tw$n_positive[j], sum(wts > 0))
      compare("causal", key, "n_negative", tw$n_negative[j], sum(wts < 0))
      compare("causal", key, "sum_negative", tw$sum_negative[j], sum(wts[wts < 0]))
      b_fe <- fe(p, y, c("TBI", x))$coef[["TBI"]]
      compare("causal", key, "beta", tw$coef[j], b_fe)
      if (!is.na(tw$sigma_ate_zero[j])) {
        # Corollary 1 with a continuous treatment, as twowayfeweights (Stata) computes it: the SD of the cells' W =
        # e mean(D) / mean(e D), each cell weighted by its dose D / mean(D) (Stata's aweights, divisor n - 1)
        Wc <- (e * mean(q$D) / mean(e * q$D))[treated]
        dose <- (q$D / mean(q$D))[treated]
        m_w <- sum(dose * Wc) / sum(dose)
        n1 <- sum(treated)
        sd_w <- sqrt(sum(dose * (Wc - m_w)^2) / sum(dose) * n1 / (n1 - 1))
        compare("causal", key, "sigma_ate_zero", tw$sigma_ate_zero[j], abs(b_fe) / sd_w,
                note = "the SD of W weighted by the dose D, divisor n - 1 (twowayfeweights' aweights)")
      }
    }
}
if (each_cell(CAUSAL, check_causal)) say("causal checks: %d numbers in all", length(rows))

out <- as.data.frame(lapply(setNames(names(rows[[1]]), names(rows[[1]])), function(n) unlist(lapply(rows, `[[`, n))), stringsAsFactors = FALSE)
dir.create(dirname(OUT), showWarnings = FALSE, recursive = TRUE)
out <- out[order(out$block, out$release, out$table, out$column, out$check, out$term, out$quantity), ]
write.csv(out, OUT, row.names = FALSE, na = "")
failed <- out[!out$pass, ]
say("second implementation: %d numbers compared, %d disagree (largest relative gap %.3g) -> %s", nrow(out), nrow(failed), max(out$rel_diff, na.rm = TRUE), OUT)
if (nrow(failed)) {
  for (j in seq_len(min(nrow(failed), 20))) {
    f <- failed[j, ]
    say("DISAGREES: %s %s Table %s column %s (%s, %s) %s %s %s: package %.10g, R %.10g", f$block, f$release, f$table, f$column, f$depvar, f$sample, f$check, f$term, f$quantity, f$package, f$r)
  }
  if (STRICT) quit(status = 1)
}
