// Load a Hexo site the way `hexo generate` does and print each post's rendered body as JSON:
// {source: content HTML}, the HTML Hexo puts in a page for the post's text. Errors go to stderr.
"use strict";
const Hexo = require("hexo");

async function main() {
  const hexo = new Hexo(process.argv[2], { silent: true });
  await hexo.init();
  await hexo.load();
  const contents = {};
  for (const post of hexo.locals.get("posts").toArray()) contents[post.source] = post.content;
  process.stdout.write(JSON.stringify(contents));
  await hexo.exit();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
