/* ptce door — labels and colours of the registration categories, from the server
 * (<script id="door-categories" type="application/json">: checkin/categories.py, built
 * from the events' category choices). */

const COLOUR = /^#[0-9a-fA-F]{3,8}$/;
const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/**
 * {label(value), colour(value)} from the server's data {labels: {value: label},
 * colours: {value: "#rrggbb"}, fallback: value}: an unknown category reads as itself and
 * takes the fallback's colour.
 */
export function parseCategories(data) {
  const labels = data && typeof data.labels === "object" && data.labels ? data.labels : {};
  const colours = data && typeof data.colours === "object" && data.colours ? data.colours : {};
  const fallback = data && typeof data.fallback === "string" ? data.fallback : "";
  const colourOf = (value) =>
    own(colours, value) && typeof colours[value] === "string" && COLOUR.test(colours[value])
      ? colours[value]
      : "";
  return {
    label: (value) => (own(labels, value) && labels[value]) || value,
    colour: (value) => colourOf(value) || colourOf(fallback),
  };
}

/** The page's categories (none, when the page has no such script: plain bands). */
export function readCategories(doc = globalThis.document) {
  const node = doc && doc.getElementById("door-categories");
  try {
    return parseCategories(node ? JSON.parse(node.textContent) : null);
  } catch (error) {
    return parseCategories(null);
  }
}

export const categories = readCategories();

/**
 * Paint a category's band on `node` (CSS custom property --door-band, set through the
 * CSSOM: the CSP forbids style attributes, not this) and name it in data-category.
 * Without a category (null), the stylesheet's plain band.
 */
export function paintCategory(node, category) {
  const colour = category == null ? "" : categories.colour(category);
  if (colour) node.style.setProperty("--door-band", colour);
  else node.style.removeProperty("--door-band");
  if (category == null) delete node.dataset.category;
  else node.dataset.category = category;
}
