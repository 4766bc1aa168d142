//! `iblint map`: the identity access graph ([`graph`]), drawn as Mermaid, DOT, JSON or one HTML
//! page with an SVG laid out here ([`html`]).

pub mod command;
pub mod graph;
pub mod html;
pub mod render;
