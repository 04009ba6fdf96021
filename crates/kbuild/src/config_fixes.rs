//! Per-release config edits applied to every build (syzbot's rules, reference §7.2), as data.
//!
//! "before vX" means vX is not reachable from the commit. Disabling only touches options present
//! (set) in the config; `make olddefconfig` resolves the rest.

use crate::release::{Reachable, Release};

/// What an entry does to the config.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfigAction {
    /// Set the option to `is not set`.
    Disable,
    /// If the option is `=y`, disable it and set `CONFIG_<with>=y` instead.
    ReplaceWith(&'static str),
}

/// One config edit.
#[derive(Clone, Copy, Debug)]
pub struct ConfigFix {
    /// Option name without `CONFIG_`.
    pub option: &'static str,
    /// Applies when this release is not reachable; `None` = always.
    pub before: Option<Release>,
    /// The edit.
    pub action: ConfigAction,
    /// Why syzbot does it.
    pub why: &'static str,
}

const fn fix(option: &'static str, before: Option<(u32, u32)>, why: &'static str) -> ConfigFix {
    ConfigFix {
        option,
        before: match before {
            Some((a, b)) => Some(Release::new(a, b)),
            None => None,
        },
        action: ConfigAction::Disable,
        why,
    }
}

/// syzbot's table. One deliberate difference: syzbot also always disables `BLK_DEV_INITRD`
/// (its images boot from a disk and an initramfs made signatures random); culprit's VMs boot from
/// an initramfs that is not part of the kernel image, so that entry is left out.
pub const CONFIG_FIXES: &[ConfigFix] = &[
    fix(
        "SECURITY_TOMOYO_OMIT_USERSPACE_LOADER",
        Some((5, 2)),
        "tomoyo without loader",
    ),
    fix("USBIP_VUDC", Some((4, 15)), "double-free at boot"),
    fix("CAN", Some((4, 13)), "lockdep splat in can_notifier"),
    fix("HSR", Some((4, 12)), "known crash on old releases"),
    fix("SMC", Some((4, 12)), "known crash on old releases"),
    fix(
        "USBIP_VHCI_HCD",
        Some((4, 10)),
        "known crash on old releases",
    ),
    fix("BT_HCIVHCI", Some((4, 10)), "known crash on old releases"),
    fix("NET_TEAM", Some((4, 7)), "known crash on old releases"),
    fix("BATMAN_ADV", Some((4, 5)), "known crash on old releases"),
    fix("UBSAN", Some((5, 3)), "too noisy on old releases"),
    fix("KCOV", Some((5, 4)), "broken on old releases"),
    fix(
        "LOCALVERSION_AUTO",
        None,
        "stable binaries: no git hash in the release string",
    ),
    fix("DEBUG_INFO_BTF", None, "pahole may be too old"),
    fix("DEBUG_KOBJECT", None, "boot deadlocks"),
    ConfigFix {
        option: "UNWINDER_ORC",
        before: Some(Release::new(5, 4)),
        action: ConfigAction::ReplaceWith("UNWINDER_FRAME_POINTER"),
        why: "ORC unwinder broken on old releases",
    },
];

/// The entries of `table` that apply to a commit with these reachable releases. With no
/// reachable release at all (a tree without release tags) only the unconditional entries apply.
pub fn fixes_for<'t>(table: &'t [ConfigFix], reachable: &Reachable) -> Vec<&'t ConfigFix> {
    table
        .iter()
        .filter(|f| match f.before {
            None => true,
            Some(r) => !reachable.is_empty() && !reachable.has_reached(r),
        })
        .collect()
}

/// Applies `fixes` to the text of a `.config`; returns the new text (lines kept in order,
/// replaced options appended at the end).
pub fn apply_config_fixes(config: &str, fixes: &[&ConfigFix]) -> String {
    let mut lines: Vec<String> = config.lines().map(str::to_string).collect();
    for f in fixes {
        let set_prefix = format!("CONFIG_{}=", f.option);
        let Some(i) = lines.iter().position(|l| l.starts_with(&set_prefix)) else {
            continue;
        };
        let value = lines[i][set_prefix.len()..].to_string();
        if value == "n" {
            continue;
        }
        match f.action {
            ConfigAction::Disable => {
                lines[i] = format!("# CONFIG_{} is not set", f.option);
            }
            ConfigAction::ReplaceWith(other) => {
                if value != "y" {
                    continue;
                }
                lines[i] = format!("# CONFIG_{} is not set", f.option);
                let other_prefix = format!("CONFIG_{other}=");
                let other_unset = format!("# CONFIG_{other} is not set");
                lines.retain(|l| !l.starts_with(&other_prefix) && *l != other_unset);
                lines.push(format!("CONFIG_{other}=y"));
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
