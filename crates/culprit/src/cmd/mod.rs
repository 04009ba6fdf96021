//! One module per subcommand.

pub mod bisect;
pub mod example;
pub mod outputs;
pub mod policy;
pub mod report;
pub mod sim;
