//! Plain-text tables with aligned columns, for the start-up table and `state`.

/// Renders `rows` under `headers`, columns left-aligned and two spaces apart, one line each (no
/// trailing spaces). A missing cell is empty.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0; columns];
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (index, width) in widths.iter().enumerate() {
            let cell = row.get(index).map_or("", String::as_str);
            line.push_str(cell);
            if index + 1 < columns {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell_and_lines_have_no_trailing_spaces() {
        let rows = vec![
            vec![
                "0".to_owned(),
                "/dev/pts/3".to_owned(),
                "5550100".to_owned(),
            ],
            vec!["10".to_owned(), "/dev/pts/12".to_owned(), String::new()],
        ];
        assert_eq!(
            render(&["modem", "pty", "number"], &rows),
            "modem  pty          number\n0      /dev/pts/3   5550100\n10     /dev/pts/12\n"
        );
    }

    #[test]
    fn a_table_without_rows_is_its_header() {
        assert_eq!(render(&["a", "b"], &[]), "a  b\n");
    }
}
