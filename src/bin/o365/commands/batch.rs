//! `o365 batch FILE.json`: the steps of a Graph JSON batch (`{"requests": [...]}`, or just the
//! array) sent with `Connection::batch` (split at 20 steps, throttled steps retried), answers
//! printed in step order as `{"responses": [...]}` (bodies JSON, or base64 for other types).

use std::io::Read;

use base64::Engine;
use o365::batch::BatchStep;
use serde_json::{Map, Value, json};

use crate::cli::{BatchArgs, OutputFormat};
use crate::failure::{CliResult, Failure};
use crate::output;
use crate::session::Session;

/// Runs `o365 batch`.
pub async fn run(session: &Session, args: BatchArgs, format: OutputFormat) -> CliResult {
    let text = if args.file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::io("cannot read the batch from stdin", e))?;
        text
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| Failure::io(&format!("cannot read {}", args.file), e))?
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("{} is not JSON: {e}", args.file)))?;
    let steps = match value {
        Value::Object(mut map) => map.remove("requests").unwrap_or(Value::Null),
        other => other,
    };
    let steps: Vec<BatchStep> = serde_json::from_value(steps).map_err(|e| {
        Failure::usage(format!(
            "{} must hold {{\"requests\": [{{\"id\", \"method\", \"url\", …}}]}}: {e}",
            args.file
        ))
    })?;
    let conn = session.signed_in().await?;
    let mut batch = conn.batch();
    for step in steps {
        batch.add_step(step)?;
    }
    let results = batch.send().await?;
    let answers: Vec<Value> = results
        .iter()
        .map(|step| {
            let mut headers = Map::new();
            for (name, value) in step.headers() {
                if let Ok(text) = value.to_str() {
                    headers.insert(name.as_str().to_owned(), Value::String(text.to_owned()));
                }
            }
            let mut answer = json!({"id": step.id(), "status": step.status().as_u16()});
            if !headers.is_empty() {
                answer["headers"] = Value::Object(headers);
            }
            if !step.body().is_empty() {
                answer["body"] = step.json::<Value>().unwrap_or_else(|_| {
                    Value::String(base64::engine::general_purpose::STANDARD.encode(step.body()))
                });
            }
            answer
        })
        .collect();
    match format {
        OutputFormat::Json => output::print_value(format, &json!({ "responses": answers })),
        _ => output::print_value(format, &json!({ "value": answers })),
    }
}
