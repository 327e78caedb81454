//! SQuAD's official JSON (`data` → `paragraphs` → `qas`) flattened to HF's `squad` / `squad_v2`
//! schema: `id`, `title`, `context`, `question` (strings) and `answers` struct{`text`: list<string>,
//! `answer_start`: list<int32>}, one row per question in file order, as HF's squad script yields
//! them. SQuAD 2.0 unanswerable questions get empty lists (their `plausible_answers` are ignored,
//! as HF does). The document is read whole (as HF does); batches are built lazily from it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use serde::Deserialize;

use super::{chain_files, files, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

#[derive(Deserialize)]
struct Doc {
    data: Vec<Article>,
}

#[derive(Deserialize)]
struct Article {
    #[serde(default)]
    title: String,
    paragraphs: Vec<Paragraph>,
}

#[derive(Deserialize)]
struct Paragraph {
    context: String,
    qas: Vec<Qa>,
}

#[derive(Deserialize)]
struct Qa {
    id: String,
    question: String,
    #[serde(default)]
    answers: Vec<Answer>,
}

#[derive(Deserialize)]
struct Answer {
    text: String,
    answer_start: i64,
}

fn answers_fields() -> Fields {
    Fields::from(vec![
        Field::new_list("text", Field::new("item", DataType::Utf8, true), true),
        Field::new_list("answer_start", Field::new("item", DataType::Int32, true), true),
    ])
}

/// HF's squad schema.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("title", DataType::Utf8, true),
        Field::new("context", DataType::Utf8, true),
        Field::new("question", DataType::Utf8, true),
        Field::new("answers", DataType::Struct(answers_fields()), true),
    ]))
}

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let schema = schema();
    let first = open_file(&paths[0], opts)?;
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &o));
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
}

/// Parses one SQuAD file and yields its questions in batches of `batch_rows`.
pub fn open_file(path: &Path, opts: &LoadOptions) -> Result<BatchIter> {
    let bytes = files::read_all(path)?;
    let doc: Doc = serde_json::from_slice(&bytes).map_err(|e| {
        Error::parse(path, format!("line {} column {}", e.line(), e.column()), format!("not SQuAD JSON: {e}"))
    })?;
    drop(bytes);
    // (article, paragraph, question) of every row, in file order.
    let mut rows: Vec<(u32, u32, u32)> = Vec::new();
    for (a, art) in doc.data.iter().enumerate() {
        for (p, par) in art.paragraphs.iter().enumerate() {
            for (q, qa) in par.qas.iter().enumerate() {
                for ans in &qa.answers {
                    if i32::try_from(ans.answer_start).is_err() {
                        return Err(Error::parse(
                            path,
                            format!("question {:?}", qa.id),
                            "answer_start out of int32 range",
                        ));
                    }
                }
                rows.push((a as u32, p as u32, q as u32));
            }
        }
    }
    let size = opts.batch_rows.max(1);
    let mut at = 0usize;
    Ok(Box::new(std::iter::from_fn(move || {
        if at >= rows.len() {
            return None;
        }
        let end = (at + size).min(rows.len());
        let batch = build(&doc, &rows[at..end]);
        at = end;
        Some(batch)
    })))
}

fn build(doc: &Doc, rows: &[(u32, u32, u32)]) -> Result<RecordBatch> {
    let (mut id, mut title, mut context, mut question) =
        (StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let mut text = ListBuilder::new(StringBuilder::new());
    let mut start = ListBuilder::new(Int32Builder::new());
    for &(a, p, q) in rows {
        let art = &doc.data[a as usize];
        let par = &art.paragraphs[p as usize];
        let qa = &par.qas[q as usize];
        id.append_value(&qa.id);
        title.append_value(&art.title);
        context.append_value(&par.context);
        question.append_value(&qa.question);
        for ans in &qa.answers {
            text.values().append_value(&ans.text);
            // Range-checked when the file was read.
            start.values().append_value(ans.answer_start as i32);
        }
        text.append(true);
        start.append(true);
    }
    let answers = StructArray::try_new(
        answers_fields(),
        vec![Arc::new(text.finish()) as ArrayRef, Arc::new(start.finish()) as ArrayRef],
        None,
    )?;
    let cols: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(title.finish()),
        Arc::new(context.finish()),
        Arc::new(question.finish()),
        Arc::new(answers),
    ];
    Ok(RecordBatch::try_new(schema(), cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;

    const V2: &str = r#"{"version": "v2.0", "data": [{"title": "T", "paragraphs": [
        {"context": "ctx one", "qas": [
            {"id": "q1", "question": "Q1?", "answers": [{"text": "one", "answer_start": 4}, {"text": "ctx", "answer_start": 0}]},
            {"id": "q2", "question": "Q2?", "answers": [], "is_impossible": true, "plausible_answers": [{"text": "x", "answer_start": 1}]}
        ]}]}]}"#;

    fn write(name: &str, content: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("tm-squad-{}-{name}", std::process::id()));
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn flattens_with_empty_lists_for_unanswerable() {
        let p = write("v2.json", V2);
        let b = &source(&[p], &LoadOptions::default()).unwrap().collect().unwrap()[0];
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.column(0).as_string::<i32>().value(1), "q2");
        let ans = b.column(4).as_struct();
        let texts = ans.column(0).as_list::<i32>();
        assert_eq!(texts.value_length(0), 2);
        assert_eq!(texts.value_length(1), 0);
        let starts = ans.column(1).as_list::<i32>();
        assert_eq!(starts.value(0).as_primitive::<Int32Type>().values(), &[4, 0]);
    }

    #[test]
    fn missing_field_and_bad_json_are_errors_with_place() {
        let p = write("nodata.json", r#"{"version": "1"}"#);
        let err = source(&[p], &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("data") && err.contains("line 1"), "{err}");
        let p = write("noctx.json", "{\"data\": [{\"paragraphs\": [\n{\"qas\": []}]}]}");
        let err = source(&[p], &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("context") && err.contains("line 2"), "{err}");
        let p = write("trunc.json", &V2[..V2.len() / 2]);
        assert!(matches!(source(&[p], &LoadOptions::default()), Err(Error::Parse { .. })));
    }
}
