use leptos::prelude::*;

use crate::chunks;
use crate::components::AuthMode;

#[component]
pub fn RegisterPage() -> impl IntoView {
    chunks::auth(AuthMode::Register)
}
