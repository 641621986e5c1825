// Typing as the user does. The content script reports only the user's own
// input (a trusted event with user activation), so a value set by script with
// a synthetic event is not "typing" any more. Puppeteer's keyboard works on a
// tab in the background too, in both browsers.

/** Appends `text` to the field `selector` of `page` with the keyboard; returns its new value. */
export async function typeAtEnd(page, selector, text) {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => {
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  });
  await page.keyboard.type(text);
  return page.$eval(selector, (el) => el.value);
}
