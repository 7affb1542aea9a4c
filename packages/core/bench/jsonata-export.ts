/**
 * The benchmark mapping in JSONata, the usual off-the-shelf choice for JSON-to-JSON mappings. Money is
 * formatted from integer cents without floats reaching the output; `$error` stands in for `required` and a
 * lookup miss.
 */
export const JSONATA_EXPORT = `(
  $money := function($c) { $string($floor($c / 100)) & "." & $pad($string($c % 100), -2, "0") };
  $methods := { "ach": "EFT", "check": "Printed Check" };
  $bank := $lookup($bankAccounts, bankId);
  {
    "PAYMENTMETHOD": $exists($lookup($methods, method)) ? $lookup($methods, method) : $error("no mapping for method"),
    "FINANCIALENTITY": $exists($bank) ? $bank : $error("bank not in lookup table"),
    "VENDORID": $exists(vendor.erpId) ? vendor.erpId : $error("VENDORID is required"),
    "DOCNUMBER": checkNumber,
    "DESCRIPTION": "Procore payment " & id & " for invoice " & invoice.number,
    "PAYMENTDATE": $substring(fundedOn, 5, 2) & "/" & $substring(fundedOn, 8, 2) & "/" & $substring(fundedOn, 0, 4),
    "CURRENCY": "USD",
    "AMOUNTTOPAY": $money(amountCents),
    "PROJECTID": project.number,
    "MEMO": notes,
    "APPYMTDETAILS": {
      "APPYMTDETAIL": [invoice.{
        "RECORDKEY": $exists(erpId) ? erpId : $error("RECORDKEY is required"),
        "INVOICENO": number,
        "TRX_PAYMENTAMOUNT": $money($$.amountCents)
      }]
    }
  }
)`;
