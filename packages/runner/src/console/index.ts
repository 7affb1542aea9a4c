export { consoleScript } from './bundle.js';
export { CONSOLE_CSS, CONSOLE_HTML } from './page.js';
