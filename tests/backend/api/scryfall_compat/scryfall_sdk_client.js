// Drives the npm scryfall-sdk, unmodified, against a live AutoMana: its ENDPOINT_API is pointed at the
// test server, then its main calls run and what its own models decoded is printed as JSON.
// Usage: node scryfall_sdk_client.js <base url of /scryfall> <paged set code> <a card id>
const IScry = require("scryfall-sdk/out/IScry");
const Scry = require("scryfall-sdk");

const [base, pagedSet, cardId] = process.argv.slice(2);
IScry.ENDPOINT_API = base;
Scry.setAgent("automana-tests", "1.0");
Scry.setTimeout(1);          // no spacing between calls: AutoMana asks for none
Scry.setCacheDuration(0);

(async () => {
    const out = {};
    const paged = await Scry.Cards.search(`e:${pagedSet}`, { order: "name" }).waitForAll();
    out.searchNames = paged.map(card => card.name);
    const bolt = await Scry.Cards.byName("Lightning Bolt");
    out.named = { name: bolt.name, set: bolt.set, legalInVintage: bolt.isLegal("vintage"), uri: bolt.uri };
    out.fuzzy = (await Scry.Cards.byName("tarmogoyff", true)).name;
    out.autocomplete = await Scry.Cards.autoCompleteName("lightn");
    out.random = (await Scry.Cards.random("t:goyf")).name;
    const collection = await Scry.Cards.collection(
        { name: "Black Lotus" }, { set: "4ed", collector_number: "208" }, { name: "Nope" }).waitForAll();
    out.collection = collection.map(card => card.name);
    out.collectionNotFound = collection.not_found;
    out.bySet = (await Scry.Cards.bySet("fbb", 162, "fr")).lang;
    out.byId = (await Scry.Cards.byId(cardId)).name;
    out.byMultiverse = (await Scry.Cards.byMultiverseId(2291)).name;
    out.rulings = (await Scry.Rulings.byId(cardId)).map(r => r.published_at);
    out.rulingsBySet = (await Scry.Rulings.bySet("fut", "153")).length;
    out.sets = (await Scry.Sets.all()).map(s => s.code);
    out.setByCode = (await Scry.Sets.byCode("4ed")).card_count;
    out.symbols = (await Scry.Symbology.all()).map(s => s.symbol);
    out.mana = await Scry.Symbology.parseMana("2WW");
    out.cardNames = await Scry.Catalog.cardNames();
    out.creatureTypes = await Scry.Catalog.creatureTypes();
    out.bulkTypes = (await Scry.BulkData.definitions()).map(d => d.type);
    try {
        await Scry.Cards.byName("No Such Card");
        out.notFound = null;
    } catch (error) {
        out.notFound = { status: error.status, code: error.code, object: error.object };
    }
    process.stdout.write(JSON.stringify(out));
})().catch(error => {
    process.stderr.write(String(error && error.stack || error));
    process.exit(1);
});
