//! Inline SVG icons (no icon font): decorative, hidden from assistive technology.

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
pub fn CopyIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <rect
                x="6.5"
                y="6.5"
                width="10"
                height="11"
                rx="1.5"
                stroke="currentColor"
                stroke-width="1.3"
                fill="none"
            />
            <path
                d="M4 13.5V4a1.5 1.5 0 0 1 1.5-1.5H13"
                stroke="currentColor"
                stroke-width="1.3"
                fill="none"
            />
        </svg>
    }
}

#[component]
pub fn CheckIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path d="M4 10.5l4 4 8-9" stroke="currentColor" stroke-width="1.6" fill="none" />
        </svg>
    }
}

#[component]
pub fn InfoIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle cx="10" cy="10" r="7.5" stroke="currentColor" stroke-width="1.3" fill="none" />
            <path d="M10 9v5M10 6.2v.1" stroke="currentColor" stroke-width="1.6" fill="none" />
        </svg>
    }
}

#[component]
pub fn LeaveIcon() -> impl IntoView {
    view! {
        <svg class="icon icon-directional" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path
                d="M8 3.5H5A1.5 1.5 0 0 0 3.5 5v10A1.5 1.5 0 0 0 5 16.5h3M13 6.5l3.5 3.5-3.5 3.5M16.5 10H8"
                stroke="currentColor"
                stroke-width="1.4"
                fill="none"
            />
        </svg>
    }
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
