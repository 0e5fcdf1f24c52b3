#include "bench/equipment_manual.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace assistd::bench {
namespace {

constexpr size_t kLineChars = 82;

struct Topic {
  const char* title;
  const char* subject;  // what the general sentences of the page talk about
  const char* facts;
};

// One topic per page, in page order.
const Topic kTopics[] = {
    {"Introduction", "the pump",
     "This manual describes the HydroMax P-400 centrifugal pump. The P-400 is designed for "
     "clean water and liquids of similar viscosity at temperatures up to 80 degrees. Its "
     "maximum flow rate is 420 litres per minute and its maximum delivery head is 48 metres. "
     "The pump is driven by a 2.2 kW three-phase motor running at up to 3,400 revolutions per "
     "minute. It is intended for irrigation, pressure boosting and water transfer in "
     "industrial and agricultural installations. Any other use is considered improper."},
    {"Safety instructions", "the housing",
     "Always disconnect the power supply and secure it against being switched on again before "
     "opening the housing of the pump. The pump must never run dry for more than 30 seconds, "
     "because the mechanical seal is cooled by the pumped liquid and will be destroyed without "
     "it. Do not pump flammable or explosive liquids. Children and persons who have not read "
     "this manual must not operate the pump. The noise level at one metre is below 70 dB(A), "
     "so hearing protection is not required during normal operation."},
    {"Transport and unpacking", "the packaging",
     "The pump weighs 38 kilograms without liquid and must be lifted by two people or with a "
     "crane using the two lifting eyes on the motor. Never lift it by the cable or the pipes. "
     "Check the delivery for transport damage immediately and report any damage to the carrier "
     "within 48 hours. The box contains the pump, the priming plug key, two flange gaskets, "
     "this manual and the test certificate."},
    {"Installation site", "the base plate",
     "Install the pump in a dry, frost-free and well ventilated room with an ambient "
     "temperature between 5 and 40 degrees. Leave at least 50 centimetres of free space around "
     "the motor so that its fan can draw cooling air. The base plate must be level to within 2 "
     "degrees and fixed with four M12 anchor bolts. Place the pump as close to the water source "
     "as possible to keep the suction line short."},
    {"Pipework", "the suction line",
     "The suction pipe must have an inner diameter of at least 50 millimetres and should rise "
     "continuously towards the pump to avoid air pockets. The maximum suction lift is 7 metres "
     "at sea level; it decreases by about one metre for every 1,000 metres of altitude. Fit a "
     "foot valve with a strainer at the end of the suction line and a check valve on the "
     "delivery side. Support the pipes independently so that their weight does not rest on the "
     "pump flanges."},
    {"Electrical connection", "the terminal box",
     "The electrical connection must be made by a qualified electrician. The motor requires a "
     "400 volt three-phase supply at 50 hertz, protected by a 16 ampere slow-blow fuse and a "
     "residual current device with a tripping current of 30 milliamperes. Use a cable with a "
     "cross-section of at least 1.5 square millimetres. Connect the earth conductor to the "
     "terminal marked with the earth symbol before connecting the phases."},
    {"Priming", "the priming plug",
     "Before the first start the pump casing must be filled with liquid. Unscrew the priming "
     "plug on top of the casing with the supplied key and pour in 2.5 litres of clean water "
     "until it overflows. Refit the plug and tighten it firmly by hand. If the suction line is "
     "long, fill it as well through the filling tee. The pump is not self-priming; starting it "
     "without priming damages the seal."},
    {"First start", "the motor fan",
     "Open the valve on the suction side completely and the valve on the delivery side by "
     "about a quarter. Switch on the pump briefly and check the direction of rotation: the "
     "motor fan must turn clockwise when viewed from the fan end, as shown by the arrow on the "
     "fan cover. If it turns the wrong way, have the electrician swap two of the three phases. "
     "Then open the delivery valve slowly until the desired flow is reached."},
    {"Control panel", "the control panel",
     "The control panel has a two-line display and four buttons: start, stop, mode and set. A "
     "steady green light means the pump is running normally. A flashing amber light means a "
     "warning that does not stop the pump, such as a filter that is due for replacement. A "
     "steady red light means the pump has stopped because of a fault, and the display shows "
     "the error code. Hold the set button for three seconds to enter the settings menu."},
    {"Operating modes", "the speed controller",
     "The pump offers three operating modes. In eco mode the speed is limited to 2,100 "
     "revolutions per minute, which reduces energy use by about 40 percent at two thirds of "
     "the maximum flow. Normal mode adapts the speed to keep the set pressure. Boost mode runs "
     "the motor at its full 3,400 revolutions per minute for at most 20 minutes, after which "
     "the pump returns to normal mode automatically."},
    {"Pressure settings", "the pressure switch",
     "In normal mode the pump starts when the pressure falls below the cut-in pressure and "
     "stops when it reaches the cut-out pressure. The factory settings are 2.2 bar cut-in and "
     "3.8 bar cut-out. The difference between the two values must be at least 0.8 bar, "
     "otherwise the pump starts too often. The maximum permitted pressure in the system is 6 "
     "bar. The pre-charge pressure of the expansion tank should be 0.2 bar below the cut-in "
     "pressure."},
    {"Maintenance schedule", "the intake filter",
     "The intake filter must be replaced every 400 operating hours, or sooner if the flow drops "
     "noticeably. Inspect the mechanical seal for leaks every 2,000 operating hours. Check the "
     "tightness of all pipe connections and the condition of the cable once a year. The "
     "control panel counts the operating hours and shows a reminder when the filter is due. "
     "After replacing the filter, reset the reminder by holding the stop and set buttons "
     "together for five seconds."},
    {"Lubrication", "the motor bearings",
     "The motor bearings must be greased every six months with lithium-based grease of class "
     "NLGI 2. Use 8 grams of grease per bearing, which corresponds to about four strokes of a "
     "standard grease gun. Too much grease makes the bearings run hot, so never exceed the "
     "stated quantity. The pump shaft itself runs in the mechanical seal and needs no "
     "lubrication."},
    {"Cleaning", "the impeller",
     "Clean the outside of the housing with a damp cloth and mild soap. Do not use a pressure "
     "washer, as the water jet can enter the motor through the fan cover. The impeller should "
     "be inspected and cleaned once a year, or every three months if the water carries sand or "
     "plant material. Remove deposits from the impeller vanes with a plastic brush; metal "
     "brushes scratch the coating."},
    {"Troubleshooting: no flow", "the foot valve",
     "If the motor runs but the pump delivers no water, the most common cause is incomplete "
     "priming: switch off, refill the casing and restart. Other causes are a closed valve in "
     "the suction line, a clogged intake filter, a foot valve that is stuck closed, or an air "
     "leak in the suction line. An air leak can often be found by brushing soapy water on the "
     "joints while the pump is running and watching for bubbles."},
    {"Troubleshooting: noise and vibration", "the mounting bolts",
     "A crackling noise like gravel passing through the pump indicates cavitation, which "
     "happens when the suction lift is too high or the suction line too narrow. Reduce the "
     "suction lift or throttle the delivery valve. Strong vibration is usually caused by loose "
     "mounting bolts, which must be tightened to 25 newton metres, or by a damaged impeller. A "
     "humming motor that does not start points to a missing phase."},
    {"Error codes", "the display",
     "Error code E1 means overcurrent: the motor drew more than 6.5 amperes, usually because "
     "the impeller is blocked. E2 means dry running: the pump ran without liquid for more than "
     "30 seconds. E3 means overtemperature: the motor winding exceeded 95 degrees Celsius, "
     "often because the fan cannot draw air. E4 means a pressure sensor fault. After removing "
     "the cause, clear the error by pressing stop and then start."},
    {"Frost protection and storage", "the drain plug",
     "If the ambient temperature may fall below 4 degrees, drain the pump completely by "
     "opening the drain plug at the bottom of the casing and the priming plug at the top. For "
     "storage longer than three months, clean and dry the pump, turn the shaft by hand once a "
     "month so that the seal faces do not stick, and keep it in its original packaging in a "
     "dry room. Before putting the pump back into service, prime it as described for the first "
     "start."},
    {"Spare parts", "the seal kit",
     "Order spare parts from your dealer, stating the serial number of the pump. The most "
     "frequently needed parts are the intake filter, part number FI-12, the mechanical seal "
     "kit SK-400, the impeller IM-400 and the gasket set GS-50. The seal kit contains the seal, "
     "two O-rings and the spring clip. Dealers keep the filter and the seal kit in stock; other "
     "parts are delivered within five working days."},
    {"Warranty", "the pump",
     "The warranty lasts two years from the date of delivery. To extend it to three years, "
     "register the pump on our website within 30 days of delivery. The warranty covers defects "
     "in material and workmanship. Wear parts such as the intake filter and the mechanical "
     "seal, damage caused by frost, dry running or improper installation, and pumps that have "
     "been opened by unauthorised persons are excluded."},
};

// General manual prose around each page's facts: {s} is the page's
// subject, {w} who may do the work, {n} a number of hours.
const char* const kGeneral[] = {
    "Read this section completely before you start any work on {s}, and keep the manual within "
    "reach of everyone who operates the pump.",
    "If anything described here does not match what you see on {s}, stop and contact the "
    "service department before continuing.",
    "Work on {s} should only be carried out by {w} who has been trained on this model and has "
    "read the safety chapter.",
    "Record every intervention on {s} in the maintenance log, including the date, the reading "
    "of the hours counter and the name of the person who did the work.",
    "Use only original spare parts; parts from other suppliers may fit mechanically but can "
    "change the flow characteristics and void the warranty.",
    "The illustrations in this manual show the standard version; installations with the "
    "optional stainless steel housing differ in small details only.",
    "When in doubt, the values printed on the rating plate take precedence over the general "
    "figures given in this chapter.",
    "Allow the pump and the pumped liquid to cool down before touching {s}, because surface "
    "temperatures can exceed 60 degrees during operation.",
    "Most problems reported to our service hotline turn out to be caused by skipped steps, so "
    "follow the order given here even if it seems slow.",
    "Keep the area around {s} clean and dry, and remove tools, rags and packaging material "
    "before the pump is switched on again.",
    "Local regulations may impose additional requirements on {s}; the operator of the "
    "installation is responsible for checking them.",
    "A short look at {s} at every shift change takes less than a minute and often reveals "
    "leaks or loose fittings long before they cause damage.",
    "Tighten all screws by hand first and only then to their final torque, working diagonally "
    "so that the flanges seat evenly.",
    "Do not modify {s} or bypass any of the protective devices, even temporarily for testing.",
    "Wear safety shoes and protective gloves whenever you handle {s}, since edges on cast "
    "parts can be sharp.",
    "If the pump is part of a larger plant, coordinate any work on {s} with the person in "
    "charge of the plant so that nobody restarts it by accident.",
    "Photographs of the installation taken before you start make it much easier to put "
    "everything back in its original position.",
    "Our service technicians can carry out this work for you as part of a maintenance "
    "contract; ask your dealer for details.",
    "The pump leaves the factory tested and adjusted, so in most installations no further "
    "adjustment of {s} is needed.",
    "Noises, smells or vibrations that were not present before are early signs of wear and "
    "should be investigated promptly.",
    "Never rely on memory for settings: write down the values you changed on {s} and keep the "
    "note with this manual.",
    "Dispose of used oil, grease and cleaning agents according to the regulations that apply "
    "at the installation site.",
    "The figures in this chapter apply to clean water at 20 degrees; for other liquids the "
    "achievable values are lower.",
    "If the pump has been out of service for more than a month, inspect {s} before switching "
    "it on.",
    "Check after the first {n} hours of use that {s} still sits firmly and that no fitting has "
    "worked itself loose.",
    "A torch and a small mirror help to inspect the lower side of {s} without removing the "
    "pump from its base.",
    "Customers in cold regions should also read the chapter on frost protection, since frozen "
    "water can crack the casing within one night.",
    "Replace damaged labels and warning signs on {s} immediately; new ones are available from "
    "your dealer free of charge.",
    "The hours counter in the control panel keeps running when the pump is stopped at the "
    "panel, but not when the mains supply is disconnected.",
    "Note the serial number printed on the rating plate before you call the service hotline, "
    "as it identifies the exact configuration of your pump.",
};
constexpr int kGeneralCount = sizeof(kGeneral) / sizeof(kGeneral[0]);
const char* const kWho[] = {"a qualified person", "an experienced service technician",
                            "a trained operator"};

int Words(const std::string& text) {
  return static_cast<int>(
      std::vector<absl::string_view>(absl::StrSplit(text, ' ', absl::SkipEmpty())).size());
}

// `text` wrapped at word boundaries into lines of at most kLineChars.
std::string Wrap(const std::string& text) {
  std::string out, line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && line.size() + 1 + word.size() > kLineChars) {
      absl::StrAppend(&out, line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  return out + line;
}

// The `k`-th general sentence of page `page` (0-based), filled in. A stride
// coprime with kGeneralCount gives each page its own order.
std::string General(int page, int k) {
  const Topic& t = kTopics[page];
  const int index = (page * 7 + k * 11) % kGeneralCount;
  return absl::StrReplaceAll(kGeneral[index], {{"{s}", t.subject},
                                               {"{w}", kWho[(page + k) % 3]},
                                               {"{n}", absl::StrCat(50 + 25 * (page % 4))}});
}

std::string Page(int page, int revision, int words_per_page) {
  const Topic& t = kTopics[page];
  const std::string footer = absl::StrCat("HydroMax P-400 operating manual, revision ", revision,
                                          ", page ", page + 1, " of ", std::size(kTopics));
  std::vector<std::string> paragraphs = {absl::StrCat(General(page, 0), " ", General(page, 1)),
                                         t.facts};
  int words = Words(footer) + Words(t.title) + Words(paragraphs[0]) + Words(t.facts);
  std::string paragraph;
  for (int k = 2; words < words_per_page; ++k) {
    const std::string sentence = General(page, k);
    absl::StrAppend(&paragraph, paragraph.empty() ? "" : " ", sentence);
    words += Words(sentence);
    if (k % 4 == 1 || words >= words_per_page) {
      paragraphs.push_back(std::move(paragraph));
      paragraph.clear();
    }
  }
  std::string text = absl::StrCat(page + 1, ". ", t.title);
  for (const std::string& p : paragraphs) absl::StrAppend(&text, "\n\n", Wrap(p));
  return absl::StrCat(text, "\n\n", footer);
}

}  // namespace

std::vector<std::string> EquipmentManualPages(int revision, int words_per_page) {
  std::vector<std::string> pages;
  for (int page = 0; page < static_cast<int>(std::size(kTopics)); ++page) {
    pages.push_back(Page(page, revision, words_per_page));
  }
  return pages;
}

const std::vector<ManualQuestion>& EquipmentManualQuestions() {
  static const auto* const kQuestions = new std::vector<ManualQuestion>{
      {"How often must the intake filter be replaced?", "400 operating hours", 12},
      {"What does error code E3 mean?", "overtemperature", 17},
      {"How much water do I need to prime the pump?", "2.5 litres", 7},
      {"Which fuse does the electrical connection need?", "16 ampere", 6},
      {"How long is the warranty?", "two years", 20},
  };
  return *kQuestions;
}

}  // namespace assistd::bench
