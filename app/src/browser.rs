//! The few browser facilities the app uses, each behind one small function, so the rest of
//! the code never touches `web_sys` for them.

use wasm_bindgen::JsValue;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A number in `[0, 1)`, for jitter and client message ids.
pub fn random() -> f64 {
    js_sys::Math::random()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Storage can be full or disabled (private mode); the app still works for this visit.
        let _ = s.set_item(key, value);
    }
}

pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Whether the page is in a background tab (or minimised).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// The tab's title.
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// `http://127.0.0.1:3000`: where the page was served from.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The main wasm this page loaded (`/app-<hash>_bg.wasm`, preloaded by index.html).
pub fn shell() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let link = document
        .query_selector(r#"link[href$="_bg.wasm"]"#)
        .ok()??;
    link.get_attribute("href")
}

/// Loads the page again (a new build of the app was deployed).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A fresh client message id: time plus randomness, unique enough per sender (the server
/// deduplicates per author).
pub fn client_msg_id() -> shared::ClientMsgId {
    let time = radix36(now_ms() as u64);
    let noise = radix36((random() * 1e15) as u64);
    let raw = format!("c-{time}-{noise}");
    shared::ClientMsgId::parse(&raw).unwrap_or_else(|_| unreachable!("ids are short ascii"))
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `14:03` in the reader's locale and time zone.
pub fn short_time(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    date.to_locale_time_string_with_options("default", &options)
        .into()
}

/// Whether the screen is a phone's: as narrow as the stylesheet's one-column layout
/// (`@media (max-width: 40rem)` in style/main.css).
pub fn narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(max-width: 40rem)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// The local day a time falls on (days since 1970-01-01 in this browser's time zone).
pub fn local_day(ms: i64) -> i64 {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    // Minutes behind UTC (positive west of Greenwich), at that date: summer time included.
    let offset_ms = date.get_timezone_offset() as i64 * 60_000;
    (ms - offset_ms).div_euclid(86_400_000)
}

/// A day separator's words: "Today", "Yesterday", or the date in the reader's locale.
pub fn day_label(ms: i64) -> String {
    match local_day(now_ms()) - local_day(ms) {
        0 => "Today".into(),
        1 => "Yesterday".into(),
        _ => {
            let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
            let options = js_sys::Object::new();
            for (key, value) in [
                ("weekday", "long"),
                ("day", "numeric"),
                ("month", "long"),
                ("year", "numeric"),
            ] {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
            date.to_locale_date_string("default", &options).into()
        }
    }
}

/// The full local date and time, for a tooltip.
pub fn long_time(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    date.to_locale_string("default", &JsValue::UNDEFINED).into()
}

/// `2026-11-23T10:00:00.000Z`, for `<time datetime>`.
pub fn iso_time(ms: i64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_iso_string()
        .into()
}

/// The element on the page that matches `selector`.
fn element(selector: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast as _;
    let document = web_sys::window()?.document()?;
    document.query_selector(selector).ok()??.dyn_into().ok()
}

/// Scrolls the row of the message numbered `seq` to the middle of the list and marks it
/// (`data-jumped`) until `unmark` runs; `false` when no such row is on the page.
pub fn show_message(seq: shared::Seq) -> bool {
    let Some(row) = element(&format!(r#"[data-testid="message"][data-seq="{seq}"]"#)) else {
        return false;
    };
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    row.scroll_into_view_with_scroll_into_view_options(&options);
    let _ = row.set_attribute("data-jumped", "");
    true
}

/// Takes the mark `show_message` put on rows off again.
pub fn unmark() {
    if let Some(row) = element("[data-jumped]") {
        let _ = row.remove_attribute("data-jumped");
    }
}

/// Puts the cursor in the message box.
pub fn focus_composer() {
    if let Some(field) = element(r#"[data-testid="composer-input"]"#) {
        let _ = field.focus();
    }
}

/// Whether the reader may be asked to allow notifications (they have not answered yet, and
/// the browser has them).
pub fn may_ask_to_notify() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false)
            && web_sys::Notification::permission() == web_sys::NotificationPermission::Default
    })
}

/// Asks the reader to allow notifications (the browser shows its own prompt).
pub fn ask_to_notify() {
    if may_ask_to_notify() {
        let _ = web_sys::Notification::request_permission();
    }
}

/// Shows a notification, if the reader allowed them; `tag` replaces an earlier one with the
/// same tag (one per room). Clicking it brings the tab to the front.
pub fn notify(title: &str, body: &str, tag: &str) {
    use wasm_bindgen::JsCast as _;
    let allowed = web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false)
            && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
    });
    if !allowed {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    if let Ok(notification) = web_sys::Notification::new_with_options(title, &options) {
        let focus = wasm_bindgen::closure::Closure::once_into_js(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
            }
        });
        notification.set_onclick(Some(focus.unchecked_ref()));
    }
}
