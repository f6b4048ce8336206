//! Icons (no icon font), decorative and hidden from assistive technology. Those repeated on
//! every row are one empty `<span>` drawn by CSS (`mask-image`, in the text colour) rather than
//! three or four SVG elements each: at 10,000 rows that is 50,000 elements fewer to build. The
//! one-off icons stay inline SVG.

use leptos::prelude::*;

#[component]
pub fn MenuIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M2 4.5h16M2 10h16M2 15.5h16"
                stroke="currentColor"
                stroke-width="1.5"
                fill="none"
            />
        </svg>
    }
}

#[component]
pub fn CheckIcon() -> impl IntoView {
    view! { <span class="icon icon-check" aria-hidden="true"></span> }
}

#[component]
pub fn InfoIcon() -> impl IntoView {
    view! { <span class="icon icon-info" aria-hidden="true"></span> }
}

#[component]
pub fn SpinnerIcon() -> impl IntoView {
    view! {
        <svg class="icon spinner" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle
                cx="10"
                cy="10"
                r="7"
                stroke="currentColor"
                stroke-width="2"
                fill="none"
                stroke-dasharray="30 14"
            />
        </svg>
    }
}

/// An icon drawn by CSS (`.icon-<name>`, a mask in the text colour): Overview's home,
/// Organizations' buildings, the find box's magnifier.
#[component]
pub fn MaskIcon(name: &'static str) -> impl IntoView {
    view! { <span class=name aria-hidden="true"></span> }
}
