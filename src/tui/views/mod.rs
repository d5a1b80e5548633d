//! Views: one file per thing drawn. All are pure functions of state + theme.

pub mod action_menu;
pub mod detail;
pub mod help;
pub mod machines;
pub mod maint;
pub mod others;
pub mod palette;
pub mod seeds;
pub mod shoots;
pub mod status;
pub mod table;
pub mod timeline;
pub mod yaml;
