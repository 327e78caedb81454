//! `tokenmill dataset info DIR`: what a saved Dataset or DatasetDict holds (ours or HF's).

use std::io::Write;
use std::path::PathBuf;

use tokenmill_datasets::cache::dir_size;
use tokenmill_datasets::dataset_dict::{load_from_disk, Saved};
use tokenmill_datasets::Dataset;

use crate::error::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A folder written by `save_to_disk` (a Dataset or a DatasetDict).
    pub dir: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn describe(name: Option<&str>, ds: &Dataset, dir: &std::path::Path) -> Result<serde_json::Value> {
    let features = ds.features()?.to_json().to_pretty();
    let features: serde_json::Value = serde_json::from_str(&features).map_err(|e| Error::msg(e.to_string()))?;
    Ok(serde_json::json!({
        "split": name,
        "rows": ds.num_rows(),
        "columns": ds.schema().fields().iter().map(|f| serde_json::json!({"name": f.name(), "type": f.data_type().to_string()})).collect::<Vec<_>>(),
        "features": features,
        "shards": ds.shards().len(),
        "indices": ds.indices().is_some(),
        "bytes_on_disk": dir_size(dir)?,
        "fingerprint": ds.fingerprint(),
    }))
}

pub fn run(a: Args) -> Result<()> {
    let splits: Vec<serde_json::Value> = match load_from_disk(&a.dir)? {
        Saved::Dataset(ds) => vec![describe(ds.split(), &ds, &a.dir)?],
        Saved::Dict(dict) => {
            dict.iter().map(|(name, ds)| describe(Some(name), ds, &a.dir.join(name))).collect::<Result<_>>()?
        }
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let doc = serde_json::json!({"path": a.dir, "splits": splits});
        writeln!(out, "{doc}").map_err(Error::Stdout)?;
        return Ok(());
    }
    for s in &splits {
        let name = s["split"].as_str().unwrap_or("(dataset)");
        writeln!(
            out,
            "{name}: {} rows, {} shards, {} bytes on disk{}, fingerprint {}",
            s["rows"],
            s["shards"],
            s["bytes_on_disk"],
            if s["indices"].as_bool() == Some(true) { ", indices mapping" } else { "" },
            s["fingerprint"].as_str().unwrap_or("")
        )
        .map_err(Error::Stdout)?;
        for c in s["columns"].as_array().into_iter().flatten() {
            let n = c["name"].as_str().unwrap_or("");
            writeln!(out, "  {n}: {} = {}", c["type"].as_str().unwrap_or(""), s["features"][n])
                .map_err(Error::Stdout)?;
        }
    }
    Ok(())
}
