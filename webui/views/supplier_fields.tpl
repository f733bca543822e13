% # A supplier's own fields and its goods, new or to change.
  <label>{{t('Name')}} <input name="name" required maxlength="200" value="{{typed.get('name', s.name if s else '')}}"></label>
  <label>{{t('Phone (for the order by SMS)')}} <input name="phone" maxlength="40" inputmode="tel" placeholder="0812-3456-7890" value="{{typed.get('phone', phone_number(s.phone) if s and s.phone else '')}}"></label>
  <label>{{t('Notes (contact person, terms, bank account)')}} <textarea name="note" rows="2" maxlength="500">{{typed.get('note', s.note if s else '')}}</textarea></label>
  % if products:
  <fieldset><legend>{{t('Goods it supplies')}}</legend>
  % for p in products:
    <label class="check"><input type="checkbox" name="goods" value="{{p.id}}" {{'checked' if str(p.id) in chosen else ''}}> {{p.name}}</label>
  % end
  </fieldset>
  % end
