// A JSON Schema as a readable field tree: name, type, required, description — nested objects
// and array items indented. `marks` ({"$.properties.a": {label, breaking}}) flags changed fields
// with words ("added", "removed", "changed", "Breaking"), not only colours.

function typeOf(s) {
  if (!s || typeof s !== "object") return "any";
  let t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (!t && s.enum) t = "enum";
  if (!t && (s.anyOf || s.oneOf)) t = (s.anyOf || s.oneOf).map(typeOf).join(" | ");
  if (!t && s.$ref) t = s.$ref.split("/").pop();
  if (!t && s.properties) t = "object";
  if (t === "array" && s.items && !Array.isArray(s.items)) t = `array of ${typeOf(s.items)}`;
  if (s.format) t = `${t || "string"} (${s.format})`;
  if (s.enum) t = `${t}: ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  return t || "any";
}

function children(s, path) {
  if (!s || typeof s !== "object") return [];
  if (s.properties) {
    const required = new Set(s.required || []);
    return Object.entries(s.properties).map(([name, sub]) => ({ name, schema: sub, required: required.has(name),
      path: `${path}.properties.${name}` }));
  }
  if (s.type === "array" && s.items && typeof s.items === "object" && !Array.isArray(s.items) && s.items.properties) {
    return children(s.items, `${path}.items`);
  }
  return [];
}

function Field({ field, marks, depth }) {
  const mark = marks?.[field.path];
  const sub = depth < 12 ? children(field.schema, field.path) : [];
  return (
    <li class={mark ? `field marked ${mark.breaking ? "breaking" : "compatible"}` : "field"}>
      <span class="field-line">
        <code class="field-name">{field.name}</code>
        <span class="field-type">{typeOf(field.schema)}</span>
        {field.required ? <span class="tag">required</span> : null}
        {mark ? <span class={`tag mark ${mark.breaking ? "bad" : "ok"}`}>{mark.label}{mark.breaking ? " · Breaking" : ""}</span> : null}
      </span>
      {field.schema?.description ? <span class="field-desc">{field.schema.description}</span> : null}
      {sub.length ? <ul>{sub.map((f) => <Field field={f} marks={marks} depth={depth + 1} />)}</ul> : null}
    </li>
  );
}

export function SchemaTree({ schema, marks, label }) {
  const fields = children(schema, "$");
  if (!fields.length) {
    return <pre class="schema-raw" aria-label={label}>{JSON.stringify(schema, null, 2)}</pre>;
  }
  return <ul class="tree" aria-label={label}>{fields.map((f) => <Field field={f} marks={marks} depth={0} />)}</ul>;
}

// Marks for the two sides of a diff, from the engine's change list.
export function diffMarks(changes, breaking) {
  const from = {};
  const to = {};
  const bad = (c) => (breaking || []).some((b) => b.path === c.path && b.type === c.type);
  for (const c of changes || []) {
    const path = c.path || "";
    const isBad = bad(c);
    if (/_removed$/.test(c.type) && c.type.startsWith("property")) from[path] = { label: "removed", breaking: isBad || from[path]?.breaking };
    else if (/_added$/.test(c.type) && c.type.startsWith("property")) to[path] = { label: "added", breaking: isBad || to[path]?.breaking };
    else {
      from[path] = { label: "changed", breaking: isBad || from[path]?.breaking };
      to[path] = { label: "changed", breaking: isBad || to[path]?.breaking };
    }
  }
  return { from, to };
}
