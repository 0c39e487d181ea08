//! Values in failure messages, for people: `"5550123"` or `none`, `success` or the error's own
//! words, `0, 1, 2`; never a Rust `Debug` dump.

use std::fmt::Display;

use tsp_sdk::LineErr;

/// A text field a provider may leave out: quoted, or `none`.
pub(crate) fn text(value: Option<&str>) -> String {
    value.map_or_else(|| "none".to_owned(), |v| format!("\"{v}\""))
}

/// A request's result: `success`, or the error as it prints (its `LINEERR_*`/`TAPIERR_*` name
/// and detail).
pub(crate) fn outcome<T, E: Display>(result: &Result<T, E>) -> String {
    match result {
        Ok(_) => "success".to_owned(),
        Err(e) => e.to_string(),
    }
}

/// The `LINEERR_*` a request ended in, or `success`.
pub(crate) fn error_kind(kind: Option<LineErr>) -> String {
    kind.map_or_else(|| "success".to_owned(), |k| k.name().to_owned())
}

/// Numbers comma-separated, or `none`.
pub(crate) fn list<T: Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_words_not_debug_output() {
        assert_eq!(text(Some("5550123")), "\"5550123\"");
        assert_eq!(text(None), "none");
        assert_eq!(outcome::<(), String>(&Ok(())), "success");
        assert_eq!(outcome::<(), String>(&Err("refused".into())), "refused");
        assert_eq!(error_kind(None), "success");
        assert_eq!(error_kind(Some(LineErr::Reinit)), "LINEERR_REINIT");
        assert_eq!(list(&[0, 1, 2]), "0, 1, 2");
        assert_eq!(list::<u32>(&[]), "none");
    }
}
