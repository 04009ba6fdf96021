//! The two ways of searching the candidates: hard verdicts (git, syzbot) and a posterior (bayes).

pub mod bayes;
pub mod verdicts;
