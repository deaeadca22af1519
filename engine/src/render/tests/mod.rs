mod api;
mod expressions;
mod filters;
mod limits;
mod parity;
mod support;
mod tags;
