//! Schemas → model types, following the type mapping table.

use super::members::UNKNOWN_VARIANT;
use super::{shapes, Resolver};
use crate::discovery::Schema;
use crate::error::Error;
use crate::ir::{Alias, AliasKind, Docs, Enum, Field, Struct, Ty, TypeDef, TypeId, Variant};
use crate::names::{bare, sanitize, Case, Namer};

/// What makes two enums the same type: each variant's value, description
/// and notes, in order.
pub(super) type EnumKey = Vec<(String, Option<String>, Vec<String>)>;

/// What makes two inline objects the same type: each member's JSON name,
/// type (shared types counted as the type they share), description and
/// notes, in order. The object's own description is not part of it: that
/// describes the field holding it, and stays on the field's alias.
pub(super) type StructKey = Vec<(String, Ty, Option<String>, Vec<String>)>;

impl Resolver<'_> {
    /// Claims every schema's type name first, so that names derived later
    /// (inline objects, parameter enums) never take a schema's name.
    pub(super) fn name_schemas(&mut self) -> Result<(), Error> {
        if let Some(key) = self.doc.schemas.keys().find(|k| k.trim().is_empty()) {
            return Err(Error::at(format!("schemas.{key}"), "a schema name is empty or only whitespace"));
        }
        let idents = self.type_namer.claim_all(self.doc.schemas.keys().map(String::as_str), Case::Pascal);
        let doc = self.doc;
        for ((key, schema), ident) in doc.schemas.iter().zip(idents) {
            let id = self.new_type(ident);
            // Known now, so that a shape can check that a field refers to a
            // struct that comes later in the document.
            if schema.ref_.is_none() && !is_enum(schema) && is_struct(schema) {
                self.struct_names.insert(id);
            }
            self.schema_names.insert(key.clone(), id);
        }
        Ok(())
    }

    pub(super) fn resolve_schemas(&mut self) -> Result<(), Error> {
        let doc = self.doc;
        for (key, schema) in &doc.schemas {
            let id = self.schema_names[key];
            let path = format!("schemas.{key}");
            if schema.ref_.is_none() && is_enum(schema) {
                self.push_enum(id, schema);
            } else if schema.ref_.is_none() && is_struct(schema) {
                self.push_struct(id, Some(key), schema, &path)?;
            } else {
                let slot = self.reserve_slot();
                let name = self.type_name(id).to_string();
                let target = self.ty_of(schema, &name, &path)?;
                self.types[slot] = Some(TypeDef::Alias(Alias {
                    id,
                    name,
                    schema_name: key.clone(),
                    doc: docs(schema),
                    target,
                    kind: AliasKind::Schema,
                }));
            }
        }
        Ok(())
    }

    fn reserve_slot(&mut self) -> usize {
        self.types.push(None);
        self.types.len() - 1
    }

    pub(super) fn lookup_ref(&self, reference: &str, path: &str) -> Result<Ty, Error> {
        match self.schema_names.get(reference) {
            Some(id) => Ok(Ty::Named(*id)),
            None => Err(Error::at(
                path,
                format!("`$ref` names the schema `{reference}`, which the document does not define"),
            )),
        }
    }

    /// The Rust type of a schema used in place (a property, an item, a
    /// parameter). Inline objects and enums become named types called
    /// `inline_name`.
    pub(super) fn ty_of(&mut self, s: &Schema, inline_name: &str, path: &str) -> Result<Ty, Error> {
        if let Some(r) = &s.ref_ {
            return self.lookup_ref(r, &format!("{path}.$ref"));
        }
        let ty = match s.type_.as_deref() {
            Some("string") if is_enum(s) => {
                let name = self.type_namer.claim(inline_name, Case::Pascal);
                let id = self.new_type(name);
                self.push_enum(id, s);
                Ty::Named(id)
            }
            Some("string") => self.string_ty(s.format.as_deref(), path),
            Some("integer") => match s.format.as_deref() {
                Some("int32") => Ty::I32,
                Some("uint32") => Ty::U32,
                Some("uint64") => Ty::U64,
                Some("int64") => Ty::I64,
                None => Ty::Integer,
                Some(other) => {
                    self.warn(path, format!("unknown integer format `{other}`, using i64"));
                    Ty::I64
                }
            },
            Some("number") => match s.format.as_deref() {
                Some("float") => Ty::F32,
                Some("double") | None => Ty::F64,
                Some(other) => {
                    self.warn(path, format!("unknown number format `{other}`, using f64"));
                    Ty::F64
                }
            },
            Some("boolean") => Ty::Bool,
            Some("any") => Ty::Any,
            Some("array") => self.array_ty(s, inline_name, path)?,
            Some("object") => self.object_ty(s, inline_name, path)?,
            None if !s.properties.is_empty() || s.additional_properties.is_some() => {
                self.object_ty(s, inline_name, path)?
            }
            None if s.items.is_some() => self.array_ty(s, inline_name, path)?,
            None => Ty::Any,
            Some(other) => {
                self.warn(path, format!("unknown type `{other}`, using serde_json::Value"));
                Ty::Any
            }
        };
        Ok(ty)
    }

    fn string_ty(&mut self, format: Option<&str>, path: &str) -> Ty {
        match format {
            None => Ty::String,
            Some("int64") => Ty::I64,
            Some("uint64") => Ty::U64,
            Some("byte") => Ty::Bytes,
            Some("date-time" | "google-datetime") => Ty::Timestamp,
            Some("date") => Ty::Date,
            Some("google-duration") => Ty::Duration,
            Some("google-fieldmask") => Ty::FieldMask,
            Some(other) => {
                self.warn(path, format!("unknown string format `{other}`, using String"));
                Ty::String
            }
        }
    }

    fn array_ty(&mut self, s: &Schema, inline_name: &str, path: &str) -> Result<Ty, Error> {
        let item = match &s.items {
            Some(items) => self.ty_of(items, &format!("{inline_name}Item"), &format!("{path}.items"))?,
            None => {
                self.warn(path, "array without `items`, using serde_json::Value items".to_string());
                Ty::Any
            }
        };
        Ok(Ty::Vec(Box::new(item)))
    }

    fn object_ty(&mut self, s: &Schema, inline_name: &str, path: &str) -> Result<Ty, Error> {
        if !s.properties.is_empty() {
            let name = self.type_namer.claim(inline_name, Case::Pascal);
            let id = self.new_type(name);
            self.push_struct(id, None, s, path)?;
            return Ok(Ty::Named(id));
        }
        match &s.additional_properties {
            Some(value) => {
                let value =
                    self.ty_of(value, &format!("{inline_name}Value"), &format!("{path}.additionalProperties"))?;
                Ok(Ty::Map(Box::new(value)))
            }
            None => Ok(Ty::Map(Box::new(Ty::Any))),
        }
    }

    pub(super) fn push_struct(
        &mut self,
        id: TypeId,
        schema_name: Option<&str>,
        s: &Schema,
        path: &str,
    ) -> Result<(), Error> {
        let slot = self.reserve_slot();
        let name = self.type_name(id).to_string();
        self.struct_names.insert(id);
        let mut namer = Namer::new();
        let names = namer.claim_all(s.properties.keys().map(String::as_str), Case::Snake);
        let mut fields = Vec::with_capacity(s.properties.len());
        for ((json, prop), field_name) in s.properties.iter().zip(names) {
            let field_path = format!("{path}.properties.{json}");
            let inline = format!("{}{}", bare(&name), bare(&sanitize(json, Case::Pascal)));
            let ty = self.ty_of(prop, &inline, &field_path)?;
            fields.push(Field { name: field_name, json_name: json.clone(), ty, doc: docs(prop) });
        }
        if schema_name.is_some() && shapes::is_rpc_status(&fields) {
            let mut doc = docs(s);
            doc.notes.push(
                "The runtime's `rpc::Status`, shared by every API: `code_enum()` reads the code and \
                 `typed_details()` decodes the details."
                    .to_string(),
            );
            self.rpc_statuses.insert(id);
            self.types[slot] = Some(TypeDef::Alias(Alias {
                id,
                name,
                schema_name: schema_name.unwrap_or_default().to_string(),
                doc,
                target: Ty::RpcStatus,
                kind: AliasKind::Schema,
            }));
            return Ok(());
        }
        if schema_name.is_none() && self.share_struct(id, slot, &fields, s) {
            return Ok(());
        }
        let status_values = match s.properties.get("status") {
            Some(p) => match &p.ref_ {
                Some(r) => self.doc.schemas.get(r).map(|t| t.enum_.clone()).unwrap_or_default(),
                None => p.enum_.clone(),
            },
            None => Vec::new(),
        };
        let operation = shapes::operation(&fields, &self.struct_names)
            .or_else(|| shapes::status_operation(&fields, &status_values, &self.struct_names));
        if operation.as_ref().is_some_and(|o| o.pollable()) {
            self.pollable_operations.insert(id);
        } else if schema_name == Some("Operation") {
            self.warn(
                path,
                "`Operation` has no shape the generator knows (neither `done` nor a `status` enum with a \
                 finished value): its methods get no poller"
                    .to_string(),
            );
        }
        // Recorded on the struct only once a method pages through it (see
        // `mark_paged_responses`): a request body has the same fields.
        if let Some(p) = shapes::page(&fields) {
            self.pages.insert(id, p);
        }
        self.types[slot] = Some(TypeDef::Struct(Struct {
            id,
            name,
            schema_name: schema_name.map(str::to_string),
            doc: docs(s),
            status: shapes::status(&fields).map(Box::new),
            fields,
            operation: operation.map(Box::new),
            page: None,
        }));
        Ok(())
    }

    /// Emits an enum, or an alias of an earlier enum whose variants (values,
    /// descriptions and deprecation) are the same. Documents repeat one value
    /// list on many fields (Vision has the same likelihood scale on 60), and
    /// a copy per field would multiply the generated code and its build time.
    pub(super) fn push_enum(&mut self, id: TypeId, s: &Schema) {
        let name = self.type_name(id).to_string();
        let mut namer = Namer::new();
        let unknown_variant = namer.claim_ident(UNKNOWN_VARIANT.to_string());
        let mut seen = std::collections::HashSet::new();
        let variants: Vec<Variant> = s
            .enum_
            .iter()
            .enumerate()
            .filter(|(_, v)| seen.insert(v.as_str()))
            .map(|(i, value)| {
                let mut doc = Docs { description: s.enum_descriptions.get(i).cloned(), notes: Vec::new() };
                if s.enum_deprecated.get(i).copied().unwrap_or(false) {
                    doc.notes.push("Deprecated.".into());
                }
                Variant { name: namer.claim(value, Case::Pascal), value: value.clone(), doc }
            })
            .collect();
        self.enum_names.insert(id);
        let slot = self.reserve_slot();
        let key: EnumKey =
            variants.iter().map(|v| (v.value.clone(), v.doc.description.clone(), v.doc.notes.clone())).collect();
        if let Some(&canonical) = self.shared_enums.get(&key) {
            // `enum_names` adds the note naming the enum, once it has its
            // final name.
            self.shared_users.insert(canonical);
            self.same_as.insert(id, canonical);
            self.types[slot] = Some(TypeDef::Alias(Alias {
                id,
                schema_name: name.clone(),
                name,
                doc: docs(s),
                target: Ty::Named(canonical),
                kind: AliasKind::SharedEnum,
            }));
            return;
        }
        self.shared_enums.insert(key, id);
        self.types[slot] =
            Some(TypeDef::Enum(Enum { id, name, doc: docs(s), variants, unknown_variant, parameter: false }));
    }

    /// Makes the inline object `id` an alias of an earlier one with the
    /// same members, and returns `true`; or records it as the first of its
    /// kind and returns `false`. Compute repeats one `warning` object (and
    /// its `data` items) on over 200 list responses, and a struct per copy
    /// multiplied the model's build time.
    fn share_struct(&mut self, id: TypeId, slot: usize, fields: &[Field], s: &Schema) -> bool {
        let key: StructKey = fields
            .iter()
            .map(|f| (f.json_name.clone(), self.as_shared(&f.ty), f.doc.description.clone(), f.doc.notes.clone()))
            .collect();
        let Some(&canonical) = self.shared_structs.get(&key) else {
            self.shared_structs.insert(key, id);
            return false;
        };
        self.shared_users.insert(canonical);
        self.same_as.insert(id, canonical);
        let name = self.type_name(id).to_string();
        self.types[slot] = Some(TypeDef::Alias(Alias {
            id,
            schema_name: name.clone(),
            name,
            doc: docs(s),
            target: Ty::Named(canonical),
            kind: AliasKind::SharedStruct,
        }));
        true
    }

    /// `ty` with each shared type's alias replaced by the type it shares.
    fn as_shared(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        if let Some(id) = ty.handle_mut() {
            *id = *self.same_as.get(id).unwrap_or(id);
        }
        ty
    }

    /// Operations whose `error` is a schema that became the runtime's
    /// status, and among them those of exactly the longrunning shape, known
    /// only once every schema is resolved.
    pub(super) fn mark_rpc_status_errors(&mut self) {
        for t in self.types.iter_mut().flatten() {
            let TypeDef::Struct(s) = t else { continue };
            let Some(op) = s.operation.as_deref_mut() else { continue };
            op.error_is_rpc_status = op.error.as_ref().is_some_and(|(_, id)| self.rpc_statuses.contains(id));
            // Inline objects have no schema for a user to name.
            op.is_longrunning = s.schema_name.is_some() && shapes::is_longrunning(&s.fields, op);
            if op.is_longrunning {
                s.doc.notes.push(
                    "The runtime's `lro::Operation`, shared by every API: `result()` tells its state, and \
                     `response_as`/`metadata_as` decode its payloads."
                        .to_string(),
                );
            }
        }
    }

    /// Pages some method pages through, known once every method is
    /// resolved: only they implement the runtime's `Page`.
    pub(super) fn mark_paged_responses(&mut self) {
        for t in self.types.iter_mut().flatten() {
            if let TypeDef::Struct(s) = t {
                if self.paged_responses.contains(&s.id) {
                    s.page = self.pages.get(&s.id).cloned();
                }
            }
        }
    }

    /// Tells readers of a shared type's docs that other fields use it too.
    pub(super) fn note_shared_types(&mut self) {
        for t in self.types.iter_mut().flatten() {
            let (id, doc, note) = match t {
                TypeDef::Enum(e) => (
                    e.id,
                    &mut e.doc,
                    "Other fields with exactly these values use this type too, under type aliases named after them.",
                ),
                TypeDef::Struct(s) => (
                    s.id,
                    &mut s.doc,
                    "Other fields holding objects with exactly these members use this type too, under type \
                     aliases named after them.",
                ),
                TypeDef::Alias(_) => continue,
            };
            if self.shared_users.contains(&id) {
                doc.notes.push(note.to_string());
            }
        }
    }

    pub(super) fn warn(&mut self, path: &str, message: String) {
        self.warnings.push(crate::error::printable(&format!("at {path}: {message}")));
    }
}

fn is_enum(s: &Schema) -> bool {
    matches!(s.type_.as_deref(), Some("string")) && !s.enum_.is_empty()
}

/// Top-level schemas that become structs: objects with properties, and
/// objects with neither properties nor a value type (such as `Empty`).
fn is_struct(s: &Schema) -> bool {
    let objectish = matches!(s.type_.as_deref(), Some("object") | None);
    objectish
        && (!s.properties.is_empty() || (s.additional_properties.is_none() && s.items.is_none() && s.type_.is_some()))
}

pub(super) fn docs(s: &Schema) -> Docs {
    let mut notes = Vec::new();
    if s.read_only == Some(true) {
        notes.push("Read-only: the server sets this value.".to_string());
    }
    if s.deprecated == Some(true) {
        notes.push("Deprecated.".to_string());
    }
    Docs { description: s.description.clone(), notes }
}
