//! The datasets engine's `Progress` as an indicatif bar on stderr (hidden when stderr is not a
//! terminal, so logs and pipes stay clean).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokenmill_datasets::Progress;

pub struct Bar(ProgressBar);

impl Bar {
    /// No output (`--quiet`).
    pub fn hidden() -> Self {
        Bar(ProgressBar::hidden())
    }

    pub fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        Bar(ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4)))
    }
}

impl Progress for Bar {
    fn start(&self, desc: &str, total: Option<u64>) {
        let template = match total {
            Some(_) => "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} rows {per_sec} {msg}",
            None => "{elapsed_precise} {spinner} {human_pos} rows {per_sec} {msg}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_length(total.unwrap_or(0));
        self.0.set_position(0);
        self.0.set_message(desc.to_string());
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
