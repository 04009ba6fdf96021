//! The `bayes` policy: a posterior over which candidate is the culprit.
//!
//! Model. The culprit `h` is one of the candidates, a priori uniform. A commit X has the bug when
//! it contains `h` (cause bisection) or lacks it (fix bisection). A run on a commit with the bug
//! crashes with the bisected crash's identity with an unknown probability `p` (Beta prior,
//! updated by every run, integrated out exactly); on a commit without the bug that identity
//! never appears, except through a small contradiction rate `EPSILON` so inconsistent results
//! lower the confidence instead of breaking the search. Crashes with another identity, skipped
//! and infrastructure runs carry no evidence either way. The rate may also differ per commit
//! (each commit's rate within a factor of two of a typical rate, prior probability 0.25): the
//! likelihood is the mixture of the two models, so clean runs next to the culprit are not
//! trusted more than a commit that crashes less often than the crashing end deserves.
//!
//! One more hypothesis stands beside the candidates: the crash is *outside* the range, already
//! present on the ends assumed clean (the good commit in cause bisection, the fixed head in fix
//! bisection), with prior [`OUTSIDE_PRIOR`]. It is what explains a crash that shows on every
//! commit tested, the oldest included (another, older bug with the same title; a crash taken for
//! the bisected one by mistake). Without it, such a world pins the culprit on the commit next to
//! the good end with a confidence the evidence never earned; with it, the good end is worth
//! testing exactly when the posterior gathers next to it, and a crash there ends the search
//! honestly.
//!
//! Candidates that every tested commit sees alike share one likelihood, so the posterior lives on
//! a handful of *classes*; per-commit masses come from [`Reach`] in linear time.
//!
//! Choice. For a commit X with bug probability `m` and `n` runs that stop at the first crash,
//! the information gained is `I(m, n) = h(1 - m(1 - q_n)) - m h(q_n)` bits, where `q_n` is the
//! chance of `n` clean runs on a commit with the bug. We pick the commit and `n` with the most
//! bits per unit of expected cost (a build when the commit is not built yet, plus the runs).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::config::{Config, Mode};
use crate::dag::{Dag, Rev};
use crate::order::Candidates;
use crate::reach::Reach;

/// Likelihood of a crash with the bisected identity on a commit that cannot have the bug.
const EPSILON: f64 = 1e-6;
/// Below this many bits a probe is not worth its cost: the search ends.
const MIN_BITS: f64 = 1e-3;
/// Candidates whose bug probability is this close to 0 or 1 cannot give `MIN_BITS` (a probe's
/// information is at most about 20 times the distance for any crash rate): `choose` skips them,
/// so a step costs the uncertain part of a history, not all of it.
const ACTIVE_EPS: f64 = 1e-5;
/// Fewest runs one probe asks for (when the runs cap allows).
const MIN_PROBE_RUNS: u32 = 3;
/// Most batches (rounds of `vms` parallel runs) one probe may ask for.
const MAX_BATCHES: u32 = 3;
/// Largest set reported as inconclusive.
const MAX_REPORTED: usize = 64;
/// Prior probability that the bisected crash is outside the range (present on the ends assumed
/// clean), when the crash was clearly identified: a `--good` that already crashes.
pub const OUTSIDE_PRIOR: f64 = 0.01;
/// The same when the crash could only be guessed (two titles as frequent, one sighting in many
/// runs): it may be an older crash that fires anywhere, not the reproducer's.
pub const OUTSIDE_PRIOR_GUESSED: f64 = 0.5;
/// Prior probability that the crash rate differs from commit to commit (a reproducer that
/// fires more often once later commits make the path hotter, say). Under that model each
/// commit with the bug has its own rate, a typical rate `mu` (unknown, integrated over
/// [`HET_GRID`] points) times a factor between one half and two ([`HET_FACTORS`], equally
/// likely, drawn per commit): clean runs on one commit say less about it than the rate learned
/// on the others suggests. Without it, a culprit that crashes half as often as the crashing end
/// is taken for clean with a confidence it never earned. The spread is multiplicative so that a
/// rare crash (a rate of 0.05) is not taken to be possibly never firing at all.
const HET_WEIGHT: f64 = 0.25;
/// log2 of the factors of a commit's rate over the mean under the per-commit model.
const HET_FACTORS: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];
/// Points of the grid over the mean rate `mu` under the per-commit model, log-spaced over
/// [`HET_MU_RANGE`] so rare crashes are resolved as finely as frequent ones.
const HET_GRID: usize = 32;
const HET_MU_RANGE: (f64, f64) = (0.004, 0.98);

/// Evidence gathered on one tested commit.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    crashes: u32,
    clean: u32,
}

/// Runs counted per class (crashes and clean runs where the class has the bug, crashes where
/// it has not), and over every tested commit.
#[derive(Debug)]
struct Counts {
    per_class: Vec<(u32, u32, u32)>,
    all: (u32, u32),
}

/// [`BayesSearch::het_arrays`]: per hypothesis, per grid point of the mean rate.
struct HetArrays {
    per_class: Vec<Vec<f64>>,
    outside: Vec<f64>,
}

/// The culprit's posterior over the classes and the outside hypothesis.
#[derive(Debug)]
struct Posterior {
    /// Per class (sums to one minus `p_out`).
    post: Vec<f64>,
    /// The outside hypothesis.
    p_out: f64,
    /// Beta parameters of the crash rate, averaged over the hypotheses.
    rate: (f64, f64),
    /// Beta parameters of the crash rate under each class, and outside.
    class_rates: Vec<(f64, f64)>,
    out_rate: (f64, f64),
    /// The per-commit rate model's posterior.
    het: Het,
}

/// The posterior of the per-commit rate model (see [`HET_WEIGHT`]): its probability, and the
/// distribution of the mean rate over the grid given that model.
#[derive(Debug, Clone, Default)]
struct Het {
    weight: f64,
    mu: Vec<f64>,
}

/// The grid of typical rates of the per-commit model.
fn het_mu(j: usize) -> f64 {
    let (lo, hi) = (HET_MU_RANGE.0.ln(), HET_MU_RANGE.1.ln());
    (lo + (hi - lo) * j as f64 / (HET_GRID - 1) as f64).exp()
}

/// `ln` of the chance of `s` crashes and `f` clean runs (in a given order) on one commit whose
/// rate is drawn from the per-commit model with typical rate `mu`.
fn het_ln(mu: f64, s: f64, f: f64) -> f64 {
    let terms = HET_FACTORS.map(|x| {
        let r = (mu * x.exp2()).min(0.999);
        s * r.ln() + f * (1.0 - r).ln()
    });
    log_sum_exp(&terms) - (HET_FACTORS.len() as f64).ln()
}

/// `ln(sum(exp(x)))`, safely.
fn log_sum_exp(x: &[f64]) -> f64 {
    let max = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + x.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Where a tested commit stands against the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    /// Its bit in the class signatures says which candidates it contains.
    Bit(usize),
    /// It contains every candidate.
    All,
    /// It contains none.
    None,
}

/// A probe the search would like to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// Commit.
    pub rev: Rev,
    /// Runs.
    pub runs: u32,
    /// Expected information, bits.
    pub bits: f64,
}

/// The posterior summary used for stopping and reporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Most probable candidate and its probability.
    pub best: (Rev, f64),
    /// Smallest set (most probable first) covering the target, and its mass; at most
    /// `MAX_REPORTED` commits are listed.
    pub cover: (Vec<Rev>, f64),
    /// How many commits that smallest set holds (not capped): the "revisions left".
    pub cover_size: u64,
    /// Probability that the crash is outside the range (present on the clean ends too).
    pub outside: f64,
}

/// State of the Bayesian search.
#[derive(Debug)]
pub struct BayesSearch {
    mode: Mode,
    cands: Candidates,
    reach: Reach,
    /// Ancestors of the old ends (outside the range, below it).
    below: Vec<bool>,
    /// Fix bisection: candidates that contain the crashing commit. On the others the bug may
    /// not have been introduced yet (a branch that forked before it), so a clean run there says
    /// nothing about the fix (syzbot issue #4117); they are not probed either.
    holds_old: Option<Vec<bool>>,
    new: Rev,
    /// The ends assumed clean: probing them tests the outside hypothesis.
    ends: Vec<Rev>,
    /// Prior of the outside hypothesis.
    outside_prior: f64,
    class_of: Vec<u32>,
    class_size: Vec<u64>,
    /// Per class, one bit per tested commit with [`Coverage::Bit`].
    class_bits: Vec<Vec<u64>>,
    bit_evidence: Vec<Evidence>,
    /// Evidence on commits where the bug is present whatever the culprit (crashing end…).
    common: Evidence,
    /// Evidence on commits where it is absent whatever the culprit in the range (crashes there
    /// are contradictions, unless the crash is outside the range).
    absent: Evidence,
    coverage: HashMap<u32, Coverage>,
    untestable: HashSet<u32>,
    /// Commits found untestable lately (no build, or no run that told anything; halved by each
    /// commit that told something): the next probes jump further from where the search aimed,
    /// as `git bisect skip` does, so a long stretch of broken commits is crossed in a few builds
    /// rather than walked one by one.
    fail_streak: u32,
    prior: (f64, f64),
    // Derived, refreshed by `update`.
    class_post: Vec<f64>,
    /// Posterior of the outside hypothesis (`class_post` sums to one minus it).
    p_out: f64,
    /// Crash-rate Beta parameters per class and outside (for the chance that more runs on a
    /// tested commit stay clean, given that it has the bug).
    class_rates: Vec<(f64, f64)>,
    out_rate: (f64, f64),
    p_post: (f64, f64),
    het: Het,
    presence: Vec<f64>,
    /// Positions (in the candidate list) of the commits `choose` considers, by `update`.
    active: Vec<u32>,
    per: Vec<f64>,
    summary: Option<(f64, Summary)>,
}

impl BayesSearch {
    /// Starts a search over the candidates of `new` against `olds`.
    pub fn new(dag: &Dag, new: Rev, olds: &[Rev], mode: Mode) -> BayesSearch {
        let cands = crate::order::candidates(dag, new, olds);
        let reach = Reach::new(dag, &cands, new);
        let mut below = vec![false; dag.len()];
        dag.mark_ancestors(olds, &mut below);
        let mut class_of = vec![u32::MAX; dag.len()];
        for &c in &cands.list {
            class_of[c.idx()] = 0;
        }
        let mut s = BayesSearch {
            mode,
            class_size: vec![cands.len() as u64],
            cands,
            reach,
            below,
            holds_old: None,
            new,
            ends: match mode {
                Mode::Cause => olds.to_vec(),
                Mode::Fix => vec![new],
            },
            outside_prior: OUTSIDE_PRIOR,
            class_of,
            class_bits: vec![Vec::new()],
            bit_evidence: Vec::new(),
            common: Evidence::default(),
            absent: Evidence::default(),
            coverage: HashMap::new(),
            untestable: HashSet::new(),
            fail_streak: 0,
            prior: (1.0, 1.0),
            class_post: vec![1.0],
            p_out: 0.0,
            class_rates: vec![(1.0, 1.0)],
            out_rate: (1.0, 1.0),
            p_post: (1.0, 1.0),
            het: Het::default(),
            presence: Vec::new(),
            active: Vec::new(),
            per: Vec::new(),
            summary: None,
        };
        if mode == Mode::Fix {
            let mut holds = vec![false; dag.len()];
            for &o in olds {
                holds[o.idx()] = true;
            }
            let topo = s.reach.topo(dag, &s.cands).to_vec();
            for c in topo {
                holds[c as usize] = dag.parents(Rev(c)).iter().any(|&p| holds[p as usize]);
            }
            s.holds_old = Some(holds);
        }
        s.update(dag);
        s
    }

    /// Sets the prior of the outside hypothesis ([`OUTSIDE_PRIOR`] by default).
    pub fn with_outside_prior(mut self, prior: f64, dag: &Dag) -> BayesSearch {
        self.outside_prior = prior.clamp(1e-9, 0.5);
        self.update(dag);
        self
    }

    /// Number of candidates.
    pub fn candidates(&self) -> usize {
        self.cands.len()
    }

    /// Whether `rev` is a candidate.
    pub fn is_candidate(&self, rev: Rev) -> bool {
        self.cands.contains(rev)
    }

    /// Marks `rev` as impossible to test (its build failed).
    pub fn mark_untestable(&mut self, rev: Rev) {
        if self.untestable.insert(rev.0) && self.cands.contains(rev) {
            self.fail_streak += 1;
        }
    }

    /// Adds runs seen on `rev`: crashes with the bisected identity and clean runs.
    pub fn add(&mut self, dag: &Dag, rev: Rev, crashes: u32, clean: u32) {
        if crashes + clean > 0 {
            // Halved, not cleared: broken stretches are long, the next aim may land in one.
            self.fail_streak /= 2;
        }
        let clean = match &self.holds_old {
            Some(h) if self.cands.contains(rev) && !h[rev.idx()] => 0,
            _ => clean,
        };
        if crashes == 0 && clean == 0 {
            return;
        }
        let cov = self.coverage_of(dag, rev);
        let present_always = match (cov, self.mode) {
            (Coverage::All, Mode::Cause) | (Coverage::None, Mode::Fix) => Some(true),
            (Coverage::None, Mode::Cause) | (Coverage::All, Mode::Fix) => Some(false),
            (Coverage::Bit(_), _) => None,
        };
        let e = match (present_always, cov) {
            (Some(true), _) => &mut self.common,
            (Some(false), _) => &mut self.absent,
            (None, Coverage::Bit(b)) => &mut self.bit_evidence[b],
            (None, _) => return,
        };
        e.crashes += crashes;
        e.clean += clean;
    }

    fn coverage_of(&mut self, dag: &Dag, rev: Rev) -> Coverage {
        if let Some(&c) = self.coverage.get(&rev.0) {
            return c;
        }
        let cov = if self.cands.contains(rev) {
            self.split(dag, rev)
        } else if self.below[rev.idx()] {
            Coverage::None
        } else if dag.is_ancestor(self.new, rev) {
            Coverage::All
        } else {
            // Neither above nor below the range: which candidates it contains is not known
            // cheaply; count it as containing none (it only informs the crash rate then).
            Coverage::None
        };
        self.coverage.insert(rev.0, cov);
        cov
    }

    /// Splits every class by membership in the ancestors of candidate `rev`.
    fn split(&mut self, dag: &Dag, rev: Rev) -> Coverage {
        let bit = self.bit_evidence.len();
        self.bit_evidence.push(Evidence::default());
        let anc = self.reach.ancestors(dag, &self.cands, rev.0);
        // New class of (old class, inside?) pairs.
        let old = self.class_size.len();
        let mut remap = vec![u32::MAX; old * 2];
        let mut sizes: Vec<u64> = Vec::new();
        let mut bits: Vec<Vec<u64>> = Vec::new();
        let words = bit / 64 + 1;
        for &c in &self.cands.list {
            let k = self.class_of[c.idx()] as usize;
            let inside = self.reach.within(&anc, c.0);
            let key = k * 2 + usize::from(inside);
            if remap[key] == u32::MAX {
                remap[key] = sizes.len() as u32;
                sizes.push(0);
                let mut b = self.class_bits[k].clone();
                b.resize(words, 0);
                if inside {
                    b[bit / 64] |= 1 << (bit % 64);
                }
                bits.push(b);
            }
            let nk = remap[key];
            sizes[nk as usize] += 1;
            self.class_of[c.idx()] = nk;
        }
        self.class_size = sizes;
        self.class_bits = bits;
        Coverage::Bit(bit)
    }

    /// Per class: crashes and clean runs where it says the bug is present, crashes where it says
    /// absent; and the totals, which the outside hypothesis sees all as present.
    fn counts(&self) -> Counts {
        let (mut out_s, mut out_f) = (
            self.common.crashes + self.absent.crashes,
            self.common.clean + self.absent.clean,
        );
        for ev in &self.bit_evidence {
            out_s += ev.crashes;
            out_f += ev.clean;
        }
        let per_class = self
            .class_bits
            .iter()
            .map(|bits| {
                let (mut s, mut f, mut e) =
                    (self.common.crashes, self.common.clean, self.absent.crashes);
                for (b, ev) in self.bit_evidence.iter().enumerate() {
                    let member = bits.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 == 1);
                    let present = match self.mode {
                        Mode::Cause => member,
                        Mode::Fix => !member,
                    };
                    if present {
                        s += ev.crashes;
                        f += ev.clean;
                    } else {
                        e += ev.crashes;
                    }
                }
                (s, f, e)
            })
            .collect();
        Counts {
            per_class,
            all: (out_s, out_f),
        }
    }

    /// The posterior from [`BayesSearch::counts`].
    fn posterior_of(&self, counts: &Counts) -> Posterior {
        let outside_prior = self.outside_prior;
        let Counts {
            per_class,
            all: (out_s, out_f),
        } = counts;
        let mut s_f = Vec::with_capacity(per_class.len());
        let prior_ln = ln_beta(self.prior.0, self.prior.1);
        // The per-commit model: per grid point, the prior of `mu` and each tested commit's
        // likelihood when it has the bug; per class, the sum over the commits it says have it.
        let het_arrays = self.het_arrays();
        let (het_w, het_l) = (HET_WEIGHT.ln(), (1.0 - HET_WEIGHT).ln());
        // ln((1 - W) L_shared + W L_het), and the per-commit model's share of it.
        let mix = |shared: f64, het: f64| {
            let (x, y) = (het_l + shared, het_w + het);
            let m = x.max(y);
            let total = m + ((x - m).exp() + (y - m).exp()).ln();
            (total, (y - total).exp())
        };
        let mut het_share = Vec::with_capacity(per_class.len());
        let logl: Vec<f64> = per_class
            .iter()
            .zip(&self.class_size)
            .zip(&het_arrays.per_class)
            .map(|((&(s, f, e), &size), het)| {
                let (a, b) = (self.prior.0 + f64::from(s), self.prior.1 + f64::from(f));
                s_f.push((a, b));
                let (l, share) = mix(ln_beta(a, b) - prior_ln, log_sum_exp(het));
                het_share.push(share);
                // Each candidate has prior (1 - OUTSIDE_PRIOR) / N.
                l + f64::from(e) * EPSILON.ln()
                    + (size as f64 * (1.0 - outside_prior) / self.cands.len() as f64).ln()
            })
            .collect();
        let out_ab = (
            self.prior.0 + f64::from(*out_s),
            self.prior.1 + f64::from(*out_f),
        );
        let (out_l, out_share) = mix(
            ln_beta(out_ab.0, out_ab.1) - prior_ln,
            log_sum_exp(&het_arrays.outside),
        );
        let out_logl = out_l + outside_prior.ln();
        let max = logl.iter().cloned().fold(out_logl, f64::max);
        let mut post: Vec<f64> = logl.iter().map(|l| (l - max).exp()).collect();
        let mut p_out = (out_logl - max).exp();
        let total: f64 = post.iter().sum::<f64>() + p_out;
        if total > 0.0 && total.is_finite() {
            post.iter_mut().for_each(|p| *p /= total);
            p_out /= total;
        }
        // Crash-rate posterior: average of the hypotheses' Beta parameters.
        let (mut a, mut b) = (p_out * out_ab.0, p_out * out_ab.1);
        for (p, (sa, sb)) in post.iter().zip(&s_f) {
            a += p * sa;
            b += p * sb;
        }
        let rate = if a > 0.0 && b > 0.0 {
            (a, b)
        } else {
            self.prior
        };
        // The per-commit model's weight and its mean rate's distribution, over the hypotheses.
        let mut mu = vec![0.0; HET_GRID];
        let mut weight = 0.0;
        let hyps = post
            .iter()
            .zip(&het_share)
            .zip(&het_arrays.per_class)
            .map(|((p, s), a)| (*p, *s, a))
            .chain(std::iter::once((p_out, out_share, &het_arrays.outside)));
        for (p, share, arr) in hyps {
            let w = p * share;
            if w <= 0.0 {
                continue;
            }
            let total = log_sum_exp(arr);
            for (m, v) in mu.iter_mut().zip(arr) {
                *m += w * (v - total).exp();
            }
            weight += w;
        }
        if weight > 0.0 {
            mu.iter_mut().for_each(|m| *m /= weight);
        }
        Posterior {
            post,
            p_out,
            rate,
            class_rates: s_f,
            out_rate: out_ab,
            het: Het { weight, mu },
        }
    }

    /// Per class and outside, per grid point of the mean rate: `ln` of its prior and of the
    /// runs' likelihood under the per-commit model, over the commits the hypothesis says have
    /// the bug (the crashing end's runs count as one commit's).
    fn het_arrays(&self) -> HetArrays {
        let (a0, b0) = self.prior;
        let lp: Vec<f64> = (0..HET_GRID)
            .map(|j| {
                // The Beta prior's density times the grid's spacing (`d mu = mu d ln mu`).
                let mu = het_mu(j);
                (a0 - 1.0) * mu.ln() + (b0 - 1.0) * (1.0 - mu).ln() + mu.ln()
            })
            .collect();
        let norm = log_sum_exp(&lp);
        let ln_of =
            |e: &Evidence, j: usize| het_ln(het_mu(j), f64::from(e.crashes), f64::from(e.clean));
        let base: Vec<f64> = (0..HET_GRID)
            .map(|j| lp[j] - norm + ln_of(&self.common, j))
            .collect();
        let bits: Vec<Vec<f64>> = self
            .bit_evidence
            .iter()
            .map(|e| (0..HET_GRID).map(|j| ln_of(e, j)).collect())
            .collect();
        let per_class = self
            .class_bits
            .iter()
            .map(|cb| {
                let mut arr = base.clone();
                for (b, l) in bits.iter().enumerate() {
                    let member = cb.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 == 1);
                    let present = match self.mode {
                        Mode::Cause => member,
                        Mode::Fix => !member,
                    };
                    if present {
                        arr.iter_mut().zip(l).for_each(|(a, x)| *a += x);
                    }
                }
                arr
            })
            .collect();
        let mut outside = base;
        for l in &bits {
            outside.iter_mut().zip(l).for_each(|(a, x)| *a += x);
        }
        for (j, a) in outside.iter_mut().enumerate() {
            *a += ln_of(&self.absent, j);
        }
        HetArrays { per_class, outside }
    }

    /// Recomputes the posterior and every candidate's probability of having the bug.
    pub fn update(&mut self, dag: &Dag) {
        self.summary = None;
        let counts = self.counts();
        let Posterior {
            post,
            p_out,
            rate,
            class_rates,
            out_rate,
            het,
        } = self.posterior_of(&counts);
        self.het = het;
        self.p_post = rate;
        self.class_rates = class_rates;
        self.out_rate = out_rate;
        self.class_post = post;
        self.p_out = p_out;
        // Buffers kept between steps: a million-commit history must not fault in fresh pages
        // at every step.
        let mut per = std::mem::take(&mut self.per);
        per.resize(dag.len(), 0.0);
        let by_class: Vec<f64> = self
            .class_post
            .iter()
            .zip(&self.class_size)
            .map(|(p, &n)| p / n as f64)
            .collect();
        for &c in &self.cands.list {
            per[c.idx()] = by_class[self.class_of[c.idx()] as usize];
        }
        let mut presence = std::mem::take(&mut self.presence);
        self.reach.all_into(dag, &self.cands, &per, &mut presence);
        // Cause: the candidates below it, or outside. Fix: not fixed in the range below it
        // (the masses sum to one minus `p_out`), or outside: one minus the reach either way.
        match self.mode {
            Mode::Cause => {
                for &c in &self.cands.list {
                    presence[c.idx()] += self.p_out;
                }
            }
            Mode::Fix => presence.iter_mut().for_each(|r| *r = 1.0 - *r),
        }
        self.presence = presence;
        self.per = per;
        let mut active = std::mem::take(&mut self.active);
        active.clear();
        active.extend(
            self.cands
                .list
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    let m = self.presence[c.idx()];
                    m > ACTIVE_EPS && m < 1.0 - ACTIVE_EPS
                })
                .map(|(i, _)| i as u32),
        );
        self.active = active;
    }

    /// Probability that one candidate is the culprit.
    pub fn posterior(&self, rev: Rev) -> f64 {
        match self.class_of.get(rev.idx()) {
            Some(&k) if k != u32::MAX => {
                self.class_post[k as usize] / self.class_size[k as usize] as f64
            }
            _ => 0.0,
        }
    }

    /// Probability that `rev` has the bug (a clean end: that the crash is outside the range).
    pub fn presence(&self, rev: Rev) -> f64 {
        if self.cands.contains(rev) {
            self.presence.get(rev.idx()).copied().unwrap_or(0.0)
        } else if self.ends.contains(&rev) {
            self.p_out
        } else {
            0.0
        }
    }

    /// The likeliest candidate's probability given that the culprit is in the range.
    fn summary_in_range_best(&self) -> f64 {
        let best = self
            .class_post
            .iter()
            .zip(&self.class_size)
            .map(|(p, &n)| p / n as f64)
            .fold(0.0, f64::max);
        best / (1.0 - self.p_out).max(1e-12)
    }

    /// Whether more runs on `rev` may still be worth it: a testable candidate whose bug
    /// probability is not settled near 0 or 1.
    pub fn unsettled(&self, rev: Rev) -> bool {
        let m = self.presence(rev);
        self.cands.contains(rev)
            && !self.untestable.contains(&rev.0)
            && m > ACTIVE_EPS
            && m < 1.0 - ACTIVE_EPS
    }

    /// Probability that the crash is outside the range (present on the clean ends too).
    pub fn outside(&self) -> f64 {
        self.p_out
    }

    /// Most probable candidate and the smallest set covering `target` (cached until the next
    /// [`BayesSearch::update`]).
    pub fn summary(&mut self, target: f64) -> Summary {
        match &self.summary {
            Some((t, s)) if *t == target => s.clone(),
            _ => {
                let s = self.compute_summary(target);
                self.summary = Some((target, s.clone()));
                s
            }
        }
    }

    fn compute_summary(&self, target: f64) -> Summary {
        // The set covers `target` of the mass in the range (the culprit's whereabouts given it
        // is in the range, as git's "revisions left"); the mass reported is the plain one.
        let target = target * (1.0 - self.p_out);
        let per = |k: usize| self.class_post[k] / self.class_size[k] as f64;
        // Classes by per-candidate probability; only as many as the cover needs.
        let mut order: Vec<usize> = (0..self.class_size.len()).collect();
        order.sort_by(|&a, &b| per(b).total_cmp(&per(a)).then(a.cmp(&b)));
        let (mut acc, mut count) = (0.0, 0u64);
        let mut rank = vec![usize::MAX; self.class_size.len()];
        let mut needed = 0;
        for &k in &order {
            rank[k] = needed;
            needed += 1;
            acc += self.class_post[k];
            count += self.class_size[k];
            if acc >= target || count >= MAX_REPORTED as u64 {
                break;
            }
        }
        // One pass collects their members, newest first within a class.
        let mut buckets: Vec<Vec<Rev>> = vec![Vec::new(); needed];
        for &c in self.cands.list.iter().rev() {
            let r = rank[self.class_of[c.idx()] as usize];
            if r != usize::MAX && buckets[r].len() < MAX_REPORTED {
                buckets[r].push(c);
            }
        }
        let mut cover = Vec::new();
        let mut mass = 0.0;
        'outer: for (r, bucket) in buckets.iter().enumerate() {
            let k = order[r];
            for &c in bucket {
                cover.push(c);
                mass += per(k);
                if mass >= target || cover.len() >= MAX_REPORTED {
                    break 'outer;
                }
            }
        }
        let best = cover
            .first()
            .map(|&c| (c, self.posterior(c)))
            .unwrap_or((self.new, 0.0));
        // The full size of the covering set, class by class (members of a class are equally
        // likely, so only as many of the last class as the target needs).
        let (mut acc, mut cover_size) = (0.0, 0u64);
        for &k in &order {
            if acc >= target {
                break;
            }
            let p = per(k);
            let size = self.class_size[k];
            if p <= 0.0 {
                continue;
            }
            let need = (((target - acc) / p).ceil() as u64).clamp(1, size.max(1));
            cover_size += need;
            acc += p * need as f64;
        }
        let cover_size = cover_size.max(cover.len() as u64);
        Summary {
            best,
            cover: (cover, mass.min(1.0)),
            cover_size,
            outside: self.p_out,
        }
    }

    /// The learned chance that one run on a commit with the bug crashes (posterior mean).
    pub fn crash_rate(&self) -> f64 {
        let (a, b) = self.p_post;
        a / (a + b)
    }

    /// Which candidates (by position in git's list) lie between two untestable commits with no
    /// tested commit between them: most likely untestable too (a stretch that does not build),
    /// so probes go past the stretch instead of into it. Empty while nothing is untestable.
    fn inside_untestable_stretches(&self) -> Vec<bool> {
        if self.fail_streak == 0 || self.untestable.is_empty() {
            return Vec::new();
        }
        let list = &self.cands.list;
        let state = |c: Rev| {
            if self.untestable.contains(&c.0) {
                Some(false)
            } else if self.coverage.contains_key(&c.0) {
                Some(true)
            } else {
                None
            }
        };
        // Last tested commit before each position: untestable (false) or testable (true).
        let mut before = vec![None; list.len()];
        let mut last = None;
        for (i, &c) in list.iter().enumerate() {
            before[i] = last;
            if let Some(s) = state(c) {
                last = Some(s);
            }
        }
        let mut inside = vec![false; list.len()];
        let mut next = None;
        for (i, &c) in list.iter().enumerate().rev() {
            inside[i] = before[i] == Some(false) && next == Some(false);
            if let Some(s) = state(c) {
                next = Some(s);
            }
        }
        inside
    }

    /// Chance that `n` runs on a commit with the bug show no crash, under the current belief
    /// about the crash rate.
    fn q(&self, n: u32) -> f64 {
        let (a, b) = self.p_post;
        let shared = (ln_beta(a, b + f64::from(n)) - ln_beta(a, b)).exp();
        self.with_het(shared, Evidence::default(), n)
    }

    /// `shared` (the chance of `n` clean runs under one rate for all commits) mixed with the
    /// same chance under the per-commit model, for a commit that has shown `seen` already.
    fn with_het(&self, shared: f64, seen: Evidence, n: u32) -> f64 {
        let w = self.het.weight;
        if w <= 0.0 || self.het.mu.len() != HET_GRID {
            return shared;
        }
        let (s, f) = (f64::from(seen.crashes), f64::from(seen.clean));
        let het: f64 = self
            .het
            .mu
            .iter()
            .enumerate()
            .filter(|(_, p)| **p > 0.0)
            .map(|(j, p)| {
                let mu = het_mu(j);
                p * (het_ln(mu, s, f + f64::from(n)) - het_ln(mu, s, f)).exp()
            })
            .sum();
        (1.0 - w) * shared + w * het
    }

    /// Chance that `n` more runs on `rev` show no crash, given that it has the bug: for a commit
    /// already tested, under the hypotheses where it has the bug (they have counted its clean
    /// runs against the crash rate, so a commit that stayed clean is worth less than the
    /// average rate suggests); otherwise as [`BayesSearch::q`].
    fn q_at(&self, rev: Rev, n: u32) -> f64 {
        let Some(&Coverage::Bit(bit)) = self.coverage.get(&rev.0) else {
            return self.q(n);
        };
        let (mut w, mut a, mut b) = (
            self.p_out,
            self.p_out * self.out_rate.0,
            self.p_out * self.out_rate.1,
        );
        for (k, bits) in self.class_bits.iter().enumerate() {
            let member = bits.get(bit / 64).is_some_and(|x| x >> (bit % 64) & 1 == 1);
            let present = match self.mode {
                Mode::Cause => member,
                Mode::Fix => !member,
            };
            if present {
                let p = self.class_post[k];
                w += p;
                a += p * self.class_rates[k].0;
                b += p * self.class_rates[k].1;
            }
        }
        if w <= 0.0 || a <= 0.0 || b <= 0.0 {
            return self.q(n);
        }
        let (a, b) = (a / w, b / w);
        let shared = (ln_beta(a, b + f64::from(n)) - ln_beta(a, b)).exp();
        self.with_het(shared, self.bit_evidence[bit], n)
    }

    /// Expected runs started for `n` runs, `vms` at a time, stopping after a batch that crashed.
    fn expected_runs(&self, m: f64, n: u32, vms: u32) -> f64 {
        let b = vms.max(1).min(n.max(1));
        let mut present = 0.0;
        let mut done = 0;
        while done < n {
            let batch = b.min(n - done);
            present += f64::from(batch) * self.q(done);
            done += batch;
        }
        (1.0 - m) * f64::from(n) + m * present
    }

    /// The best probe, avoiding `busy` commits (in flight), or `None` when no probe is worth it.
    /// `built` tells which commits cost no build. `free` is how many probes are being chosen
    /// together (this one and the ones after it): they share the widest gap, so the first aims
    /// at its first `1/(free+1)` part instead of its middle (two probes at once cut it in thirds,
    /// not in quarters).
    pub fn choose(
        &mut self,
        cfg: &Config,
        busy: &[Rev],
        built: &BTreeSet<u32>,
        free: usize,
    ) -> Option<Choice> {
        // Whole batches: a batch of VMs takes as long with one run as with `vms` runs.
        let batch = cfg.vms.clamp(1, cfg.runs.max(1));
        // Half batches too: the same wall time for fewer runs when a little evidence is enough.
        // At least three runs a probe: fewer make a log of one-run blocks and a driver loop of
        // one-run jobs, for little more information per run.
        let half = (batch / 2).max(MIN_PROBE_RUNS).min(cfg.runs.max(1));
        let options: Vec<u32> = (1..=2 * MAX_BATCHES)
            .map(|k| k * half)
            .filter(|&n| n <= cfg.runs.max(1))
            .collect();
        // A commit is run until its answer is settled (more runs follow clean ones while they
        // are worth it), so a probe is aimed where a settled answer cuts best: the split for as
        // many runs as a commit may get, not for this probe's runs alone. Aiming at this
        // probe's own noisy split (further below the median) wastes the runs that follow.
        let settled = self.q(cfg.runs.max(half));
        let split = best_split(settled);
        // Where in-flight probes already cut the mass axis; aim inside the widest gap.
        let mut cuts: Vec<f64> = vec![0.0, 1.0];
        let in_range = |m: f64| ((m - self.p_out) / (1.0 - self.p_out).max(1e-12)).clamp(0.0, 1.0);
        cuts.extend(busy.iter().map(|&r| in_range(self.presence(r))));
        cuts.sort_by(f64::total_cmp);
        let (lo, hi) = cuts
            .windows(2)
            .map(|w| (w[0], w[1]))
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
            .unwrap_or((0.0, 1.0));
        let share = 2.0 / (free.max(1) as f64 + 1.0);
        // Splits are aimed within the range: the outside hypothesis is tested on the ends
        // (below), and a cut counted against it would lean every split toward the good end
        // while the crash shows everywhere tested.
        let inside = 1.0 - self.p_out;
        let target = self.p_out + inside * (lo + (hi - lo) * split * share);
        // The `skip`-th nearest candidate of each target: the nearest one, or after untestable
        // commits in a row one 2^streak - 1 places further (an untestable commit's neighbours
        // are likely untestable too).
        // A commit whose bug probability is this close to 0 or 1 is settled for the answer
        // asked (`target`): more runs there cannot change it.
        let settled = (1.0 - cfg.target).clamp(1e-9, 0.1) / 10.0;
        let testable = self.cands.len().saturating_sub(self.untestable.len());
        let skip = ((1usize << self.fail_streak.min(12)) - 1).min(testable / 4);
        let mut heap: std::collections::BinaryHeap<(u64, u32)> =
            std::collections::BinaryHeap::with_capacity(skip + 2);
        let busy_set: HashSet<u32> = busy.iter().map(|r| r.0).collect();
        let in_stretch = self.inside_untestable_stretches();
        for &pos in &self.active {
            let (pos, c) = (pos as usize, self.cands.list[pos as usize]);
            if self.untestable.contains(&c.0)
                || busy_set.contains(&c.0)
                || self.holds_old.as_ref().is_some_and(|h| !h[c.idx()])
                || in_stretch.get(pos).copied().unwrap_or(false)
            {
                continue;
            }
            let m = self.presence[c.idx()];
            if m < settled || m > 1.0 - settled {
                continue;
            }
            // Distances are not negative: their bits order like the numbers.
            let d = (m - target).abs().to_bits();
            if heap.len() <= skip {
                heap.push((d, c.0));
            } else if heap.peek().is_some_and(|&(bd, _)| d < bd) {
                heap.pop();
                heap.push((d, c.0));
            }
        }
        let jumped = heap.peek().map(|&(_, c)| c);
        let nearest = heap.iter().min().map(|&(_, c)| c);
        let mut best: Option<(f64, Choice)> = None;
        // Every run count for one commit: the most bits per unit of expected cost.
        let consider = |rev: u32, best: &mut Option<(f64, Choice)>| {
            let m = self.presence(Rev(rev));
            if m < settled || m > 1.0 - settled {
                return;
            }
            let build = if cfg.builds_cached && built.contains(&rev) {
                0.0
            } else {
                cfg.build_cost
            };
            for &n in &options {
                let bits = info(m, self.q_at(Rev(rev), n));
                let cost = build + cfg.run_cost * self.expected_runs(m, n, cfg.vms);
                let ratio = bits / cost.max(1e-9);
                if bits >= MIN_BITS && best.as_ref().is_none_or(|(r, _)| ratio > *r) {
                    *best = Some((
                        ratio,
                        Choice {
                            rev: Rev(rev),
                            runs: n,
                            bits,
                        },
                    ));
                }
            }
        };
        if let Some(c) = jumped {
            consider(c, &mut best);
        }
        if best.is_none()
            && let Some(c) = nearest
        {
            // The jump lands where nothing is worth testing: back to the nearest.
            consider(c, &mut best);
        }
        // The clean ends, only once the range itself has settled on a commit (or has nothing
        // left worth testing) and the outside hypothesis is what keeps it from being named: the
        // insurance costs a build where it decides the answer and nowhere else.
        let in_range_best = self.summary_in_range_best();
        if best.is_none() || in_range_best >= cfg.target {
            for &end in &self.ends {
                if !busy_set.contains(&end.0) && !self.untestable.contains(&end.0) {
                    consider(end.0, &mut best);
                }
            }
        }
        if cfg.builds_cached {
            for &c in built {
                if self.cands.contains(Rev(c))
                    && !self.untestable.contains(&c)
                    && !busy_set.contains(&c)
                {
                    consider(c, &mut best);
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

/// Binary entropy in bits.
fn entropy(x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        0.0
    } else {
        -(x * x.log2() + (1.0 - x) * (1.0 - x).log2())
    }
}

/// Bits learned about the culprit from a probe on a commit with bug probability `m`, when a
/// commit with the bug shows no crash with probability `q`.
pub fn info(m: f64, q: f64) -> f64 {
    (entropy(1.0 - m * (1.0 - q)) - m * entropy(q)).max(0.0)
}

/// The bug probability at which [`info`] peaks for a given `q` (golden-section search; the
/// function is concave in `m`).
fn best_split(q: f64) -> f64 {
    let (mut a, mut b) = (1e-6, 1.0 - 1e-6);
    let g = 0.618_033_988_749_895;
    for _ in 0..60 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if info(c, q) > info(d, q) {
            b = d;
        } else {
            a = c;
        }
    }
    (a + b) / 2.0
}

/// ln B(a, b) via ln Γ.
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9). Written by hand: it is ten lines and
/// no small, well-kept crate offers just this.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection formula.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..20 {
            f *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - f.ln()).abs() < 1e-9, "n={n}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-9);
    }

    #[test]
    fn cover_size_counts_past_the_listed_commits() {
        let parents: Vec<Vec<u32>> = (0..301u32)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let dag = Dag::from_parents(&parents, vec![]).expect("a valid DAG");
        let mut b = BayesSearch::new(&dag, Rev(300), &[Rev(0)], Mode::Cause);
        // 300 equally likely candidates: 0.99 of the mass needs 297 of them.
        let s = b.summary(0.99);
        assert_eq!(s.cover_size, 297);
        assert_eq!(s.cover.0.len(), MAX_REPORTED);
    }

    #[test]
    fn info_peaks_at_half_when_runs_are_certain() {
        assert!((best_split(0.0) - 0.5).abs() < 1e-6);
        assert!((info(0.5, 0.0) - 1.0).abs() < 1e-9);
        // A noisy probe is worth less and should be aimed below half.
        assert!(best_split(0.5) < 0.5);
        assert!(info(0.5, 0.5) < 1.0);
    }
}
