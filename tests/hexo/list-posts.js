// Load a Hexo site the way `hexo generate` does and print every post Hexo accepted as JSON:
// [{source, title, date (ISO), categories, headimg}]. Processing errors go to stderr.
"use strict";
const Hexo = require("hexo");

async function main() {
  const site = process.argv[2];
  const hexo = new Hexo(site, { silent: true });
  await hexo.init();
  await hexo.load();
  const posts = hexo.locals.get("posts").toArray().map((post) => ({
    source: post.source,
    title: post.title,
    date: post.date.toISOString(),
    categories: post.categories.toArray().map((c) => c.name),
    headimg: post.headimg,
    comments: post.comments,
  }));
  process.stdout.write(JSON.stringify(posts));
  await hexo.exit();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
