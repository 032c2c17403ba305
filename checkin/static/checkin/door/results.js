/* ptce door — the list of people found by a name search. */

import { paintCategory } from "./categories.js";
import { fold, searchTickets } from "./search.js";
import { SETTINGS } from "./settings.js";
import { app } from "./state.js";
import { TEXT } from "./texts.js";
import { formatWhen } from "./time.js";

export function renderResults() {
  const list = app.el.results;
  list.textContent = "";
  const { results, total } = searchTickets(app.index.values(), app.el.search.value);
  if (!total) {
    if (fold(app.el.search.value).replace(/ /g, "").length >= SETTINGS.searchMin) {
      list.append(listItem("door-results__empty", TEXT.searchEmpty));
    }
    return;
  }
  results.forEach(({ entry }) => list.append(resultItem(entry.ticket)));
  if (total > results.length) list.append(listItem("door-results__more", TEXT.searchMore(total - results.length)));
}

function listItem(className, text) {
  const item = document.createElement("li");
  item.className = className;
  item.textContent = text;
  return item;
}

function resultItem(ticket) {
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "door-result";
  paintCategory(button, ticket.category);
  button.dataset.h = ticket.h;
  const name = document.createElement("span");
  name.className = "door-result__name";
  const last = document.createElement("span");
  last.className = "verdict-last";
  last.textContent = ticket.last_name;
  name.append(last, ` ${ticket.first_name}`);
  const org = document.createElement("span");
  org.className = "door-result__org";
  org.textContent = ticket.organisation;
  const status = document.createElement("span");
  const admitted = Boolean(ticket.admitted_at) && ticket.status === "confirmed";
  status.className = `badge ${admitted ? "admitted" : ticket.status}`;
  status.textContent = admitted
    ? TEXT.statusAdmitted(formatWhen(ticket.admitted_at))
    : TEXT.statusLabels[ticket.status] || ticket.status;
  button.append(name, org, status);
  item.append(button);
  return item;
}
