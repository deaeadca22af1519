//! The bundled engine.
