// One page for every buyer address: the address picks what it shows, and only that part's code is loaded.
import { start } from "./buyer.js";

const PARTS = [
  [/^\/o\/[^/]+$/, "./order.js"],
  [/^\/lookup$/, "./lookup.js"],
];
const part = PARTS.find(([address]) => address.test(location.pathname))?.[1] ?? "./shop.js";
const { render } = await import(part);
start(render);
