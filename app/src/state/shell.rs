//! Which build of the app a page is: its shell, named by content (`/app-<hash>_bg.wasm`, see
//! scripts/split_app.py). A chunk that is gone from the server while a newer index.html names
//! another shell means the app was deployed again since this tab loaded: its chunks went with
//! the old build, and only a reload helps.

/// The shell an index.html loads (the path of its main wasm), if it names one.
pub fn shell_of(html: &str) -> Option<&str> {
    let end = html.find("_bg.wasm")? + "_bg.wasm".len();
    let start = html[..end].rfind("/app-")?;
    Some(&html[start..end])
}

/// Whether the index.html the server gives now loads another shell than `current`.
pub fn replaced(current: &str, served_index: &str) -> bool {
    shell_of(served_index).is_some_and(|served| served != current)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<link rel="modulepreload" href="/app-4cac12159c35d459.js"><link rel="preload" href="/app-4cac12159c35d459_bg.wasm" as="fetch" type="application/wasm"></head>"#;

    #[test]
    fn the_shell_is_the_main_wasm_an_index_loads() {
        assert_eq!(shell_of(INDEX), Some("/app-4cac12159c35d459_bg.wasm"));
        assert_eq!(shell_of("<html>no app here</html>"), None);
    }

    #[test]
    fn a_new_build_replaces_the_shell_and_the_same_build_does_not() {
        let current = "/app-4cac12159c35d459_bg.wasm";
        assert!(!replaced(current, INDEX));
        assert!(replaced(
            current,
            &INDEX.replace("4cac12159c35d459", "0123456789abcdef")
        ));
        // A page that is not the app (a proxy's error page) says nothing of a new build.
        assert!(!replaced(current, "<html>502 Bad Gateway</html>"));
    }
}
