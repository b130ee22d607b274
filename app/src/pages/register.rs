use leptos::prelude::*;

use crate::components::{AuthForm, AuthMode};

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! { <AuthForm mode=AuthMode::Register/> }
}
