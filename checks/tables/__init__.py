"""Op tables: generation (closed form or policy) and the quantities read off."""
