//! Helpers shared by the integration tests: run the binary, temp dirs, read shards back.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tokenmill"))
}

/// Runs the binary with `args` (and `stdin` if given).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = bin();
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawn tokenmill");
    if let Some(data) = stdin {
        let mut si = child.stdin.take().unwrap();
        si.write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn ok(args: &[&str]) -> String {
    let out = run(args, None);
    assert!(out.status.success(), "tokenmill {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs and expects exit code 1 with one `tokenmill: error:` line; returns stderr.
pub fn fails(args: &[&str]) -> String {
    let out = run(args, None);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "tokenmill {args:?}: expected exit 1, stderr: {err}");
    assert!(err.starts_with("tokenmill: error: "), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line expected: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// A fresh, empty directory under the system temp dir.
pub fn tmpdir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("tokenmill-cli-test-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn meta(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap()
}

/// The documents of a tokenized dataset, read through meta.json, checking idx/bin consistency.
pub fn read_docs(dir: &Path) -> Vec<Vec<u32>> {
    let m = meta(dir);
    let width = match m["dtype"].as_str().unwrap() {
        "uint16" => 2,
        "uint32" => 4,
        d => panic!("dtype {d}"),
    };
    let mut docs = Vec::new();
    for sh in m["shards"].as_array().unwrap() {
        let bin = std::fs::read(dir.join(sh["file"].as_str().unwrap())).unwrap();
        let idx = std::fs::read(dir.join(sh["index"].as_str().unwrap())).unwrap();
        assert_eq!(bin.len() % width, 0);
        let ids: Vec<u32> = bin
            .chunks_exact(width)
            .map(|c| {
                if width == 2 {
                    u16::from_le_bytes([c[0], c[1]]) as u32
                } else {
                    u32::from_le_bytes(c.try_into().unwrap())
                }
            })
            .collect();
        let offs: Vec<u64> = idx.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
        let n_docs = sh["documents"].as_u64().unwrap() as usize;
        assert_eq!(offs.len(), n_docs + 1, "N docs -> N+1 offsets");
        assert_eq!(offs[0], 0);
        assert_eq!(*offs.last().unwrap() as usize, ids.len());
        assert_eq!(sh["tokens"].as_u64().unwrap() as usize, ids.len());
        for w in offs.windows(2) {
            assert!(w[0] <= w[1]);
            docs.push(ids[w[0] as usize..w[1] as usize].to_vec());
        }
    }
    docs
}

/// Files in `dir` (names).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

pub fn shared_data() -> Option<PathBuf> {
    // TOKENMILL_SHARED overrides the location (e.g. when the repo is a worktree elsewhere).
    let p = std::env::var_os("TOKENMILL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIP: shared data not found at {} (test needs /work/shared/data)", p.display());
        None
    }
}
